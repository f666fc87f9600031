package dev.keyward.audit;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import io.restassured.specification.RequestSpecification;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import org.eclipse.microprofile.config.ConfigProvider;

/** What the audit tests share: authenticated requests and waiting until the consumer stored events. */
abstract class AuditTestBase {

    static RequestSpecification as(String key) {
        return given().header("Authorization", "Bearer " + key);
    }

    /** Waits until {@code org}'s chain holds {@code count} events and verifies. */
    static void awaitStored(String key, int count) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                as(key).get("/v1/audit/verify").then().statusCode(200)
                        .body("checked", equalTo(count))
                        .body("ok", equalTo(true)));
    }

    /** A plain JDBC connection to the service's database, as someone with database access would have. */
    static Connection database() throws SQLException {
        var config = ConfigProvider.getConfig();
        Connection c = DriverManager.getConnection(config.getValue("quarkus.datasource.jdbc.url", String.class),
                config.getValue("quarkus.datasource.username", String.class),
                config.getValue("quarkus.datasource.password", String.class));
        c.setSchema("audit_service");
        return c;
    }
}
