package dev.keyward.testsupport;

import java.net.URI;
import java.util.Optional;

/**
 * The PostgreSQL server and Kafka broker that all tests in one JVM share: started once, on first
 * use, and stopped when the JVM exits. {@code KEYWARD_TEST_PG_URL}
 * ({@code postgresql://user:password@host:port}) and {@code KEYWARD_TEST_KAFKA}
 * ({@code host:port}) point tests at external servers instead.
 */
public final class SharedInfrastructure {

    private static EmbeddedPostgresServer postgres;
    private static EmbeddedKafka kafka;

    private SharedInfrastructure() {
    }

    /** Connection facts for one database of the shared PostgreSQL (created if missing). */
    public static synchronized PostgresConnection postgres(String database) {
        String external = System.getenv("KEYWARD_TEST_PG_URL");
        if (external != null && !external.isBlank()) {
            return PostgresConnection.external(URI.create(external), database);
        }
        if (postgres == null) {
            postgres = EmbeddedPostgresServer.startTemporary();
            Runtime.getRuntime().addShutdownHook(new Thread(postgres::close, "keyward-test-postgres-stop"));
        }
        postgres.createDatabase(database);
        return new PostgresConnection(postgres.host(), postgres.port(), database,
                EmbeddedPostgresServer.USER, EmbeddedPostgresServer.USER);
    }

    /** Bootstrap servers of the shared broker. */
    public static synchronized String kafkaBootstrapServers() {
        String external = System.getenv("KEYWARD_TEST_KAFKA");
        if (external != null && !external.isBlank()) {
            return external;
        }
        return embeddedKafka().orElseThrow().bootstrapServers();
    }

    /**
     * The embedded broker, so fault tests can stop and restart it; empty when tests run against an
     * external broker.
     */
    public static synchronized Optional<EmbeddedKafka> embeddedKafka() {
        String external = System.getenv("KEYWARD_TEST_KAFKA");
        if (external != null && !external.isBlank()) {
            return Optional.empty();
        }
        if (kafka == null) {
            kafka = EmbeddedKafka.startTemporary();
            Runtime.getRuntime().addShutdownHook(new Thread(kafka::close, "keyward-test-kafka-stop"));
        }
        return Optional.of(kafka);
    }

    /** Where and how to reach one database. */
    public record PostgresConnection(String host, int port, String database, String username, String password) {

        static PostgresConnection external(URI uri, String database) {
            String userInfo = uri.getUserInfo() == null ? "postgres:" : uri.getUserInfo();
            int colon = userInfo.indexOf(':');
            String user = colon < 0 ? userInfo : userInfo.substring(0, colon);
            String password = colon < 0 ? "" : userInfo.substring(colon + 1);
            return new PostgresConnection(uri.getHost(), uri.getPort() < 0 ? 5432 : uri.getPort(), database, user, password);
        }

        public String jdbcUrl() {
            return "jdbc:postgresql://" + host + ":" + port + "/" + database;
        }

        public String reactiveUrl() {
            return "postgresql://" + host + ":" + port + "/" + database;
        }
    }
}
