package dev.keyward.token;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

import dev.keyward.events.EventType;
import dev.keyward.testsupport.EventTap;
import dev.keyward.testsupport.KafkaTestResource;
import dev.keyward.testsupport.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Orgs through the API only: a platform operator creates an org with its first admin key, the
 * org's admin sets its policy within the operator's caps and mints tokens under it, the operator
 * suspends, resumes and deletes it; every change is an event. An operator reaches nothing inside
 * any org.
 */
@QuarkusTest
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "keyward_token"))
@QuarkusTestResource(KafkaTestResource.class)
class OrgLifecycleTests {

    static final Map<String, List<String>> READ_APP = Map.of("repos:app", List.of("git:read"));

    private static RequestSpecification as(String key) {
        return given().header("Authorization", "Bearer " + key).contentType(ContentType.JSON);
    }

    private static JsonPath createOrg(String id) {
        return as(TestOrgs.operatorKey()).body(Map.of("id", id, "name", "Team " + id, "contact_email", "ops@" + id + ".example.test",
                        "admin_token", true))
                .post("/v1/orgs").then().statusCode(201).extract().jsonPath();
    }

    @Test
    void anOperatorOnboardsAnOrgWhoseAdminSetsItsPolicyAndTheOperatorSuspendsResumesAndDeletesIt() throws Exception {
        String org = "team-" + UUID.randomUUID().toString().substring(0, 8);
        String operator = TestOrgs.operatorKey();
        try (EventTap tap = new EventTap()) {
            JsonPath created = createOrg(org);
            assertThat(created.getString("state")).isEqualTo("active");
            assertThat(created.getString("admin_token.token")).startsWith("kw_prod_o_");
            assertThat(created.getList("admin_token.scopes.org")).contains("org:admin", "token:write", "audit:read");
            assertThat(created.getInt("policy.max_tokens_per_creator")).isEqualTo(12);
            String admin = created.getString("admin_token.token");
            as(operator).body(Map.of("id", org)).post("/v1/orgs").then().statusCode(409).body("error", equalTo("org_exists"));

            as(operator).get("/v1/orgs").then().statusCode(200).body("orgs.id", hasItem(org))
                    .body("orgs.id", not(hasItem("_platform")));
            as(admin).get("/v1/orgs").then().statusCode(200).body("orgs.id", equalTo(List.of(org)));
            as(admin).get("/v1/orgs/demo").then().statusCode(404);

            // The admin sets the policy; a cap the operator set cannot be raised; caps are the operator's.
            JsonPath policy = as(admin).body(Map.of("max_tokens_per_creator", 2, "allow_never_expiring", true,
                            "default_allowed_cidrs", List.of("127.0.0.0/8"), "notice_days", 7, "rate_limits", Map.of("prod", 50, "dev", 5)))
                    .patch("/v1/orgs/" + org + "/policy").then().statusCode(200).extract().jsonPath();
            assertThat(policy.getInt("max_tokens_per_creator")).isEqualTo(2);
            assertThat(policy.getList("default_allowed_cidrs")).containsExactly("127.0.0.0/8");
            assertThat(policy.getDouble("rate_limits.dev")).isEqualTo(5.0);
            as(admin).body(Map.of("max_tokens_per_org", 5000)).patch("/v1/orgs/" + org + "/policy").then().statusCode(422)
                    .body("message", containsString("max_tokens_per_org"));
            as(admin).body(Map.of("caps", Map.of("max_tokens_per_org", 5000))).patch("/v1/orgs/" + org + "/policy")
                    .then().statusCode(403);
            as(admin).body(Map.of("notice_day", 3)).patch("/v1/orgs/" + org + "/policy").then().statusCode(422)
                    .body("message", containsString("notice_day"));
            as(admin).body(Map.of("notice_days", "3")).patch("/v1/orgs/" + org + "/policy").then().statusCode(400)
                    .body("message", containsString("notice_days"));
            as(admin).body(Map.of("leak_action", "ignore")).patch("/v1/orgs/" + org + "/policy").then().statusCode(422)
                    .body("message", containsString("leak_action"));
            as(operator).body(Map.of("caps", Map.of("max_tokens_per_org", 10))).patch("/v1/orgs/" + org + "/policy")
                    .then().statusCode(200).body("caps.max_tokens_per_org", equalTo(10)).body("max_tokens_per_org", equalTo(10));

            // Tokens under that policy: never-expiring allowed, the org's CIDRs applied, two per creator.
            as(admin).body(Map.of("name", "forever", "kind", "repo", "scopes", READ_APP, "expires_in", 0))
                    .post("/v1/tokens").then().statusCode(201).body("expires_at", nullValue())
                    .body("allowed_cidrs", equalTo(List.of("127.0.0.0/8")));
            as(admin).body(TestOrgs.body("second", "repo", READ_APP)).post("/v1/tokens").then().statusCode(201);
            as(admin).body(TestOrgs.body("third", "repo", READ_APP)).post("/v1/tokens").then().statusCode(409)
                    .body("error", equalTo("user_token_limit"));

            // The operator reaches nothing inside the org.
            as(operator).get("/v1/tokens").then().statusCode(403);
            as(operator).body(TestOrgs.body("x", "repo", READ_APP)).post("/v1/tokens").then().statusCode(403);
            as(operator).get("/v1/orgs/" + org + "/keys").then().statusCode(403);
            as(admin).post("/v1/orgs/" + org + "/suspend").then().statusCode(403);

            // Suspended: the org's keys are refused at once; resumed: they work again. Nothing was deleted.
            as(operator).post("/v1/orgs/" + org + "/suspend").then().statusCode(200).body("state", equalTo("suspended"));
            await().atMost(Duration.ofSeconds(1)).untilAsserted(() ->
                    as(admin).get("/v1/tokens").then().statusCode(403).body("error", equalTo("org_suspended")));
            as(operator).post("/v1/orgs/" + org + "/resume").then().statusCode(200).body("state", equalTo("active"));
            await().atMost(Duration.ofSeconds(1)).untilAsserted(() ->
                    as(admin).get("/v1/tokens").then().statusCode(200));

            // Deleted: every token revoked, the org gone from listings and lookups.
            as(operator).delete("/v1/orgs/" + org).then().statusCode(200).body("deleted", equalTo(true))
                    .body("revoked_tokens", equalTo(3));
            as(admin).get("/v1/tokens").then().statusCode(401);
            as(operator).get("/v1/orgs/" + org).then().statusCode(404);
            as(operator).get("/v1/orgs").then().statusCode(200).body("orgs.id", not(hasItem(org)));
            as(operator).body(Map.of("id", org)).post("/v1/orgs").then().statusCode(409);

            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(tap.ofOrg(org).stream()
                    .map(r -> r.event().type()).distinct().toList()).contains(EventType.ORG_CREATED, EventType.POLICY_CHANGED,
                    EventType.ORG_SUSPENDED, EventType.ORG_RESUMED, EventType.ORG_DELETED, EventType.TOKEN_REVOKED));
            EventTap.Received change = tap.ofOrg(org).stream().filter(r -> r.event().type() == EventType.POLICY_CHANGED)
                    .findFirst().orElseThrow();
            assertThat(change.json()).contains("\"what\":\"policy\"").contains("max_tokens_per_creator")
                    .contains("\"before\":12").contains("\"after\":2");
            assertThat(change.key()).isEqualTo(org);
        }
    }

    @Inject
    TestOrgs orgs;

    @Test
    void badOrgRequestsNameTheField() {
        String operator = TestOrgs.operatorKey();
        as(operator).body(Map.of("id", "Bad_Id")).post("/v1/orgs").then().statusCode(422).body("message", containsString("id"));
        as(operator).body(Map.of("id", "ok-id", "colour", "red")).post("/v1/orgs").then().statusCode(422)
                .body("message", containsString("colour"));
        as(operator).body(Map.of("id", 12)).post("/v1/orgs").then().statusCode(400).body("message", containsString("id"));
        as(operator).body(Map.of("id", "mail-" + UUID.randomUUID().toString().substring(0, 6), "contact_email", "not-an-address"))
                .post("/v1/orgs").then().statusCode(422).body("message", containsString("contact_email"));
        as(operator).post("/v1/orgs/_platform/suspend").then().statusCode(404);
    }

    @Test
    void anOrgAdminKeyCannotCreateOrgs() {
        TestOrgs.Org org = orgs.create();
        as(org.adminKey()).body(Map.of("id", "sneaky-" + UUID.randomUUID().toString().substring(0, 6))).post("/v1/orgs")
                .then().statusCode(403);
    }
}
