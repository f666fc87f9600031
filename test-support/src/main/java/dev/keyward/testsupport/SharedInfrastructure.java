package dev.keyward.testsupport;

import dev.keyward.localstack.EmbeddedKafka;
import dev.keyward.localstack.EmbeddedPostgresServer;
import dev.keyward.localstack.PostgresConnection;
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
}
