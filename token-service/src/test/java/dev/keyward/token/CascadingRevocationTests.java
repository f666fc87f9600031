package dev.keyward.token;

import static dev.keyward.token.LifecycleSupport.introspect;
import static dev.keyward.token.TestOrgs.issue;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import dev.keyward.events.EventType;
import dev.keyward.testsupport.EventTap;
import dev.keyward.testsupport.KafkaTestResource;
import dev.keyward.testsupport.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code DELETE /v1/tokens/{id}?cascade=true}: the token and everything it minted, recursively, in
 * one transaction, one {@code token:revoked} each, the live counters kept right.
 */
@QuarkusTest
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "keyward_token"))
@QuarkusTestResource(KafkaTestResource.class)
class CascadingRevocationTests {

    static final Map<String, List<String>> MANAGER = Map.of("org", List.of("token:write"), "repos:team/*", List.of("git:read", "git:write"));
    static final Map<String, List<String>> LEAF_MANAGER = Map.of("org", List.of("token:write"), "repos:team/*", List.of("git:read"));
    static final Map<String, List<String>> READ_APP = Map.of("repos:team/app", List.of("git:read"));

    @Inject
    TestOrgs orgs;

    @Test
    void revokesTheTokenAndEverythingItMintedAndNothingElse() throws Exception {
        TestOrgs.Org org = orgs.create();
        try (EventTap tap = new EventTap()) {
            Map<String, Object> manager = issue(org.adminKey(), "manager", "org", MANAGER);
            String managerKey = (String) manager.get("token");
            Map<String, Object> leafManager = issue(managerKey, "leaf manager", "org", LEAF_MANAGER);
            Map<String, Object> leaf = issue(managerKey, "leaf", "repo", READ_APP);
            Map<String, Object> grandLeaf = issue((String) leafManager.get("token"), "grand leaf", "repo", READ_APP);
            Map<String, Object> sibling = issue(org.adminKey(), "sibling", "repo", READ_APP);
            List<Map<String, Object>> subtree = List.of(manager, leafManager, leaf, grandLeaf);
            assertThat(liveTokens(org)).isEqualTo(6);

            given().header("x-api-key", org.adminKey()).queryParam("cascade", "true").delete("/v1/tokens/" + manager.get("id"))
                    .then().statusCode(200)
                    .body("id", equalTo(manager.get("id")))
                    .body("revoked", equalTo(true))
                    .body("revoked_count", equalTo(4));

            for (Map<String, Object> token : subtree) {
                assertThat(introspect((String) token.get("token")).getString("reason")).as((String) token.get("name"))
                        .isEqualTo("revoked");
            }
            assertThat(introspect(org.adminKey()).getBoolean("active")).isTrue();
            assertThat(introspect((String) sibling.get("token")).getBoolean("active")).isTrue();
            given().header("x-api-key", org.adminKey()).get("/v1/tokens").then().statusCode(200)
                    .body("tokens.size()", equalTo(2));
            // Counted down with them: the org's and the minting chain's counters hold the two left.
            assertThat(liveTokens(org)).isEqualTo(2);
            assertThat(orgs.count("select coalesce(sum(live), 0) from creator_live_tokens where org_id = ?", org.id()))
                    .isEqualTo(2);

            // One token:revoked each, through the outbox like a single revoke; none for the others.
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                for (Map<String, Object> token : subtree) {
                    assertThat(revokedEvents(tap, token)).as((String) token.get("name")).hasSize(1);
                }
            });
            assertThat(revokedEvents(tap, Map.of("id", sibling.get("id")))).isEmpty();
            assertThat(revokedEvents(tap, grandLeaf).get(0).json()).contains("\"cascade_root\":\"" + manager.get("id") + "\"");
        }
    }

    @Test
    void cascadesThroughATokenRevokedBeforeAndKeepsThePlainAnswer() {
        TestOrgs.Org org = orgs.create();
        Map<String, Object> manager = issue(org.adminKey(), "manager", "org", MANAGER);
        Map<String, Object> leaf = issue((String) manager.get("token"), "leaf", "repo", READ_APP);
        String id = (String) manager.get("id");

        given().header("x-api-key", org.adminKey()).delete("/v1/tokens/" + id).then().statusCode(200)
                .body("id", equalTo(id)).body("revoked", equalTo(true)).body("revoked_count", nullValue());
        assertThat(introspect((String) leaf.get("token")).getBoolean("active")).isTrue();

        given().header("x-api-key", org.adminKey()).queryParam("cascade", "true").delete("/v1/tokens/" + id)
                .then().statusCode(200).body("revoked_count", equalTo(1));
        assertThat(introspect((String) leaf.get("token")).getString("reason")).isEqualTo("revoked");
        given().header("x-api-key", org.adminKey()).queryParam("cascade", "true").delete("/v1/tokens/" + id)
                .then().statusCode(200).body("revoked_count", equalTo(0));
        assertThat(liveTokens(org)).isEqualTo(1);
    }

    @Test
    void staysInsideTheCallersOrgAndReadsTheFlagStrictly() {
        TestOrgs.Org org = orgs.create();
        TestOrgs.Org other = orgs.create();
        Map<String, Object> manager = issue(org.adminKey(), "manager", "org", MANAGER);

        given().header("x-api-key", other.adminKey()).queryParam("cascade", "true").delete("/v1/tokens/" + manager.get("id"))
                .then().statusCode(404).body("error", equalTo("not_found"));
        given().header("x-api-key", org.adminKey()).queryParam("cascade", "yes").delete("/v1/tokens/" + manager.get("id"))
                .then().statusCode(400).body("error", equalTo("bad_request")).body("message", equalTo("cascade must be true or false"));
        assertThat(introspect((String) manager.get("token")).getBoolean("active")).isTrue();
    }

    private long liveTokens(TestOrgs.Org org) {
        return orgs.count("select live_tokens from orgs where id = ?", org.id());
    }

    private static List<EventTap.Received> revokedEvents(EventTap tap, Map<String, Object> token) {
        return tap.onceAbout((String) token.get("id")).stream()
                .filter(r -> r.event().type() == EventType.TOKEN_REVOKED).toList();
    }
}
