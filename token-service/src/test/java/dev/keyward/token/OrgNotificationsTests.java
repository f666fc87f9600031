package dev.keyward.token;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import com.sun.net.httpserver.HttpServer;
import dev.keyward.events.EventType;
import dev.keyward.testsupport.EventTap;
import dev.keyward.testsupport.KafkaTestResource;
import dev.keyward.testsupport.PostgresTestResource;
import dev.keyward.token.jobs.WebhookReceiver;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * Notification settings through the API: the secret is write-only, the test call delivers a
 * signed ping and reports what came back, a redirect is reported and not followed, and the change
 * is a policy:changed event that never holds the secret. (This profile lets webhooks reach
 * 127.0.0.0/8 over http, as the local receivers need; {@link StrictWebhookUrlTests} has the
 * production rules.)
 */
@QuarkusTest
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "keyward_token"))
@QuarkusTestResource(KafkaTestResource.class)
class OrgNotificationsTests {

    @Inject
    TestOrgs orgs;

    private static RequestSpecification as(String key) {
        return given().header("Authorization", "Bearer " + key).contentType(ContentType.JSON);
    }

    @Test
    void theSecretIsWriteOnlyAndTheTestCallDeliversASignedPing() throws Exception {
        TestOrgs.Org org = orgs.create();
        String secret = "whsec-notifications-" + org.id();
        try (EventTap tap = new EventTap(); WebhookReceiver hook = new WebhookReceiver(false)) {
            String put = as(org.adminKey()).body(Map.of("contact_email", "ops@example.test", "webhook_url", hook.url(),
                            "webhook_secret", secret))
                    .put("/v1/orgs/" + org.id() + "/notifications").then().statusCode(200)
                    .body("webhook_secret_set", equalTo(true)).body("webhook_url", equalTo(hook.url()))
                    .extract().asString();
            assertThat(put).doesNotContain(secret);
            assertThat(as(org.adminKey()).get("/v1/orgs/" + org.id() + "/notifications").then().statusCode(200)
                    .body("contact_email", equalTo("ops@example.test")).extract().asString()).doesNotContain(secret);

            as(org.adminKey()).post("/v1/orgs/" + org.id() + "/notifications/test").then().statusCode(200)
                    .body("delivered", equalTo(true)).body("status", equalTo(200));
            assertThat(hook.requests()).hasSize(1);
            WebhookReceiver.Request ping = hook.requests().get(0);
            assertThat(ping.header("X-Keyward-Event")).isEqualTo("ping");
            String ts = ping.header("X-Keyward-Timestamp");
            assertThat(ping.header("X-Keyward-Signature"))
                    .isEqualTo("sha256=" + WebhookReceiver.hmac(secret, ts + "." + ping.body()));

            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(tap.ofOrg(org.id()).stream()
                    .filter(r -> r.event().type() == EventType.POLICY_CHANGED).toList()).isNotEmpty());
            EventTap.Received change = tap.ofOrg(org.id()).stream()
                    .filter(r -> r.event().type() == EventType.POLICY_CHANGED).findFirst().orElseThrow();
            assertThat(change.json()).contains("\"what\":\"notifications\"").contains("webhook_url").doesNotContain(secret);
        }
    }

    @Test
    void aRedirectIsReportedAndNotFollowed() throws Exception {
        TestOrgs.Org org = orgs.create();
        List<String> paths = new CopyOnWriteArrayList<>();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            paths.add(exchange.getRequestURI().getPath());
            exchange.getResponseHeaders().add("Location", "http://127.0.0.1:" + server.getAddress().getPort() + "/elsewhere");
            exchange.sendResponseHeaders(302, -1);
            exchange.close();
        });
        server.start();
        try {
            String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
            as(org.adminKey()).body(Map.of("webhook_url", url, "webhook_secret", "whsec-redirect-test-secret"))
                    .put("/v1/orgs/" + org.id() + "/notifications").then().statusCode(200);
            as(org.adminKey()).post("/v1/orgs/" + org.id() + "/notifications/test").then().statusCode(200)
                    .body("delivered", equalTo(false)).body("status", equalTo(302))
                    .body("error", containsString("redirect"));
            assertThat(paths).containsExactly("/hook");
        } finally {
            server.stop(0);
        }
    }

    @Test
    void badSettingsNameTheField() {
        TestOrgs.Org org = orgs.create();
        String path = "/v1/orgs/" + org.id() + "/notifications";
        as(org.adminKey()).body(Map.of("contact_mail", "x@example.test")).put(path).then().statusCode(422)
                .body("message", containsString("contact_mail"));
        as(org.adminKey()).body(Map.of("contact_email", 7)).put(path).then().statusCode(400)
                .body("message", containsString("contact_email"));
        as(org.adminKey()).body(Map.of("contact_email", "not an address")).put(path).then().statusCode(422)
                .body("message", containsString("contact_email"));
        as(org.adminKey()).body(Map.of("webhook_url", "ftp://127.0.0.1/x", "webhook_secret", "whsec-0123456789abcdef"))
                .put(path).then().statusCode(422).body("message", containsString("webhook_url"));
        as(org.adminKey()).post(path + "/test").then().statusCode(422).body("message", containsString("webhook_url"));
        // Another org's settings are not there for this admin; an operator has no say in them.
        as(org.adminKey()).get("/v1/orgs/demo/notifications").then().statusCode(404);
        as(TestOrgs.operatorKey()).get(path).then().statusCode(403);
    }
}
