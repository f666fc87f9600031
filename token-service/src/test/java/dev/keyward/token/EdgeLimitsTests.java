package dev.keyward.token;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import dev.keyward.contract.ApiKeyFormat;
import dev.keyward.contract.TokenKind;
import dev.keyward.events.EventType;
import dev.keyward.testsupport.EventTap;
import dev.keyward.testsupport.KafkaTestResource;
import dev.keyward.testsupport.PostgresTestResource;
import dev.keyward.testsupport.RawHttp;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.net.URL;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * What happens at the edge, with a trusted proxy on 127.0.0.1 and tight rate limits: forwarded
 * client addresses are believed from the trusted proxy only; failed authentications from one
 * address are cut off with 429 and still reported as {@code auth:failed}; dev keys get a lower
 * rate than prod keys.
 */
@QuarkusTest
@TestProfile(EdgeLimitsTests.TrustedProxyAndTightLimits.class)
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "keyward_token"))
@QuarkusTestResource(KafkaTestResource.class)
class EdgeLimitsTests {

    /** 127.0.0.1 is the trusted proxy; 127.0.0.2 is a client talking to the service directly. */
    public static class TrustedProxyAndTightLimits implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "quarkus.http.proxy.proxy-address-forwarding", "true",
                    "quarkus.http.proxy.trusted-proxies", "127.0.0.1",
                    "keyward.rate-limit.failed-auth.burst", "5",
                    "keyward.rate-limit.failed-auth.per-second", "0.05",
                    "keyward.rate-limit.prod.burst", "12",
                    "keyward.rate-limit.prod.per-second", "0.05",
                    "keyward.rate-limit.dev.burst", "4",
                    "keyward.rate-limit.dev.per-second", "0.05");
        }
    }

    @Inject
    TestOrgs orgs;

    @TestHTTPResource("/")
    URL root;

    private static Response asClient(String forwardedFor, String key) {
        return given().header("X-Forwarded-For", forwardedFor).header("x-api-key", key).get("/v1/tokens");
    }

    @Test
    void forwardedAddressesCountOnlyFromTheTrustedProxy() {
        TestOrgs.Org org = orgs.create();
        String fenced = (String) TestOrgs.create(org.adminKey(), Map.of("name", "fenced", "kind", "org",
                        "scopes", Map.of("org", List.of("token:write")), "allowed_cidrs", List.of("203.0.113.0/24")))
                .then().statusCode(201).extract().jsonPath().getString("token");

        // Through the trusted proxy (127.0.0.1): the forwarded client address is the one checked.
        asClient("203.0.113.7", fenced).then().statusCode(200);
        asClient("198.51.100.7", fenced).then().statusCode(403).body("error", equalTo("cidr"));

        // Straight from an untrusted peer (127.0.0.2), the same header is ignored: the peer is the client.
        RawHttp.Reply spoofed = RawHttp.get("127.0.0.2", root.getPort(), "/v1/tokens",
                "X-Forwarded-For: 203.0.113.7", "x-api-key: " + fenced);
        assertThat(spoofed.status()).isEqualTo(403);
        assertThat(spoofed.body()).contains("\"error\":\"cidr\"").doesNotContain(fenced);
        RawHttp.Reply forwardedHeader = RawHttp.get("127.0.0.2", root.getPort(), "/v1/tokens",
                "Forwarded: for=203.0.113.7", "x-api-key: " + fenced);
        assertThat(forwardedHeader.status()).isEqualTo(403);
    }

    @Test
    void bruteForceFromOneAddressIsCutOffAndReported() throws Exception {
        TestOrgs.Org org = orgs.create();
        String attacker = "198.51.100.66";
        try (EventTap tap = new EventTap()) {
            for (int i = 0; i < 5; i++) {
                asClient(attacker, ApiKeyFormat.generate(ApiKeyFormat.Environment.PROD, TokenKind.ORG))
                        .then().statusCode(401).body("error", equalTo("unknown"));
            }
            Response blocked = asClient(attacker, ApiKeyFormat.generate(ApiKeyFormat.Environment.PROD, TokenKind.ORG));
            blocked.then().statusCode(429).body("error", equalTo("rate_limited"));
            assertThat(Integer.parseInt(blocked.header("Retry-After"))).isBetween(1, 21);
            // The address is blocked whatever it presents, even a good key; other addresses are not.
            asClient(attacker, org.adminKey()).then().statusCode(429);
            asClient("198.51.100.67", org.adminKey()).then().statusCode(200);

            // Failures per reason, by the uses each event stands for (identical ones of a window are folded).
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(tap.all().stream()
                    .filter(r -> r.event().type() == EventType.AUTH_FAILED && attacker.equals(r.event().data().clientIp()))
                    .collect(Collectors.groupingBy(r -> r.event().data().reason(), Collectors.summingLong(r -> r.event().uses()))))
                    .containsOnlyKeys("unknown", "rate_limited")
                    .hasEntrySatisfying("unknown", n -> assertThat(n).isEqualTo(5))
                    .hasEntrySatisfying("rate_limited", n -> assertThat(n).isGreaterThanOrEqualTo(2)));
        }
    }

    @Test
    void devKeysGetALowerRateThanProdKeys() {
        TestOrgs.Org org = orgs.create();
        Map<String, Object> dev = TestOrgs.create(org.adminKey(), Map.of("name", "dev", "kind", "org", "environment", "dev",
                "scopes", Map.of("org", List.of("token:write")))).then().statusCode(201).extract().jsonPath().getMap("");
        String prod = TestOrgs.create(org.adminKey(), Map.of("name", "prod", "kind", "org", "environment", "prod",
                "scopes", Map.of("org", List.of("token:write")))).then().statusCode(201).extract().jsonPath().getString("token");
        assertThat((String) dev.get("token")).startsWith("kw_dev_");
        assertThat(prod).startsWith("kw_prod_");
        assertThat(countUntilLimited((String) dev.get("token"))).isEqualTo(4);
        assertThat(countUntilLimited(prod)).isEqualTo(12);
        given().header("x-api-key", (String) dev.get("token")).get("/v1/tokens").then().statusCode(429)
                .header("Retry-After", notNullValue())
                .body("error", equalTo("rate_limited"))
                .body("message", containsString("rate limit"));
    }

    private static int countUntilLimited(String key) {
        for (int i = 0; i < 100; i++) {
            int status = given().header("x-api-key", key).get("/v1/tokens").statusCode();
            if (status == 429) {
                return i;
            }
            assertThat(status).isEqualTo(200);
        }
        throw new AssertionError("never limited");
    }
}
