package dev.keyward.testsupport;

import dev.keyward.localstack.PostgresConnection;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * Points a Quarkus test at a real PostgreSQL database (embedded unless {@code KEYWARD_TEST_PG_URL}
 * is set). Init arg {@code database} names the database; default {@code keyward}.
 */
public class PostgresTestResource implements QuarkusTestResourceLifecycleManager {

    private String database = "keyward";

    @Override
    public void init(Map<String, String> initArgs) {
        database = initArgs.getOrDefault("database", database);
    }

    @Override
    public Map<String, String> start() {
        PostgresConnection pg = SharedInfrastructure.postgres(database);
        return Map.of(
                "quarkus.datasource.devservices.enabled", "false",
                "quarkus.datasource.reactive.url", pg.reactiveUrl(),
                "quarkus.datasource.jdbc.url", pg.jdbcUrl(),
                "quarkus.datasource.username", pg.username(),
                "quarkus.datasource.password", pg.password());
    }

    @Override
    public void stop() {
        // The server is shared by every test of this JVM and stops with it.
    }
}
