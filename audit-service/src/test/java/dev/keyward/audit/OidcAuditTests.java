package dev.keyward.audit;

import dev.keyward.testsupport.KeycloakTestResource;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

import dev.keyward.events.EventType;
import dev.keyward.testsupport.KafkaTestResource;
import dev.keyward.testsupport.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * People reading the audit trail with access tokens of a real Keycloak: an org-admin reads their
 * org's trail (org from the {@code org} claim) and nothing else; an org-member is refused; a
 * forged token is refused; Keyward keys keep working beside them.
 */
@QuarkusTest
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "keyward_audit"))
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(value = KeycloakTestResource.class, restrictToAnnotatedClass = true)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OidcAuditTests extends AuditTestBase {

    private final String demoToken = "tok_" + UUID.randomUUID().toString().replace("-", "");
    private final String otherToken = "tok_" + UUID.randomUUID().toString().replace("-", "");

    private boolean published;

    // Once, before the first test (in @BeforeAll the HTTP test port is not set up yet)
    @BeforeEach
    void publishOneEventPerOrg() {
        if (published) {
            return;
        }
        published = true;
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        try (EventPublisher events = new EventPublisher()) {
            events.publish(EventPublisher.event("demo", EventType.TOKEN_CREATED, now, demoToken, "someone", null));
            events.publish(EventPublisher.event("other", EventType.TOKEN_CREATED, now, otherToken, "someone", null));
        }
        // Each org's events travel on their own partition, so wait for both orgs' events
        String alice = passwordToken("alice");
        String mallory = passwordToken("mallory");
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            as(alice).get("/v1/audit/events?page_size=500").then().statusCode(200)
                    .body("events.subject", hasItem(demoToken));
            as(mallory).get("/v1/audit/events?page_size=500").then().statusCode(200)
                    .body("events.subject", hasItem(otherToken));
        });
    }

    @Test
    void anOrgAdminReadsTheirOrgsTrailOnly() {
        as(passwordToken("alice")).get("/v1/audit/events?page_size=500").then().statusCode(200)
                .body("events.data.org", everyItem(equalTo("demo")))
                .body("events.subject", not(hasItem(otherToken)));
        as(passwordToken("mallory")).get("/v1/audit/events?page_size=500").then().statusCode(200)
                .body("events.subject", hasItem(otherToken))
                .body("events.subject", not(hasItem(demoToken)));
        as(passwordToken("alice")).get("/v1/audit/verify").then().statusCode(200).body("org", equalTo("demo"));
        as(passwordToken("alice")).get("/v1/auth/health").then().statusCode(200).body("org", equalTo("demo"));
    }

    @Test
    void theCiRobotIsAnOrgAdminOfDemo() {
        as(clientCredentialsToken()).get("/v1/audit/events?page_size=500").then().statusCode(200)
                .body("events.subject", hasItem(demoToken));
    }

    @Test
    void anOrgMemberIsRefused() {
        as(passwordToken("bob")).get("/v1/audit/events").then().statusCode(403).body("error", equalTo("scope"));
        as(passwordToken("bob")).get("/v1/audit/export").then().statusCode(403);
    }

    @Test
    void aForgedTokenIsRefusedAndKeywardKeysStillWork() {
        String[] parts = passwordToken("alice").split("\\.");
        String forged = parts[0] + "." + parts[1] + "." + new StringBuilder(parts[2]).reverse();
        as(forged).get("/v1/audit/events").then().statusCode(401).body("error", equalTo("invalid_claims"));
        as(TestKeys.auditor("demo")).get("/v1/audit/events?page_size=500").then().statusCode(200)
                .body("events.subject", hasItem(demoToken));
        as(TestKeys.orgKey("demo", "org:read")).get("/v1/audit/events").then().statusCode(403);
    }

    private static String passwordToken(String user) {
        return given().formParam("grant_type", "password").formParam("client_id", "keyward-cli")
                .formParam("username", user).formParam("password", user)
                .post(KeycloakTestResource.keycloak().tokenEndpoint())
                .then().statusCode(200).extract().path("access_token");
    }

    private static String clientCredentialsToken() {
        return given().formParam("grant_type", "client_credentials").formParam("client_id", "keyward-ci")
                .formParam("client_secret", "keyward-ci-secret")
                .post(KeycloakTestResource.keycloak().tokenEndpoint())
                .then().statusCode(200).extract().path("access_token");
    }
}
