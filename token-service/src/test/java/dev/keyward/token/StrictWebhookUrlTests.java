package dev.keyward.token;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.keyward.testsupport.KafkaTestResource;
import dev.keyward.testsupport.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The production rules for webhook URLs end to end, on loopback only: https only, and no URL whose
 * host is or resolves to a loopback address, whatever its spelling. No connection is opened: every
 * case is refused before delivery. The address rules in full are unit tests ({@code WebhookTargetTest}).
 */
@QuarkusTest
@TestProfile(StrictWebhookUrlTests.ProductionRules.class)
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "keyward_token"))
@QuarkusTestResource(KafkaTestResource.class)
class StrictWebhookUrlTests {

    public static class ProductionRules implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("keyward.notify.webhook.allow-http", "false", "keyward.notify.webhook.allowed-cidrs",
                    "192.0.2.0/24"); // a documentation range: nothing here is ever connected to
        }
    }

    @Inject
    TestOrgs orgs;

    @Test
    void unsafeWebhookUrlsAreRefusedWith422() {
        TestOrgs.Org org = orgs.create();
        for (String url : new String[] {"http://127.0.0.1:9/hook", "https://localhost/hook", "https://127.0.0.1/hook",
                "https://2130706433/hook", "https://127.1/hook", "https://[::1]/hook", "https://[::ffff:127.0.0.1]/hook"}) {
            given().header("x-api-key", org.adminKey()).contentType(ContentType.JSON)
                    .body(Map.of("webhook_url", url, "webhook_secret", "whsec-0123456789abcdef"))
                    .put("/v1/orgs/" + org.id() + "/notifications").then().statusCode(422)
                    .body("error", equalTo("unsafe_webhook_url"))
                    .body("message", containsString("webhook_url"));
        }
    }
}
