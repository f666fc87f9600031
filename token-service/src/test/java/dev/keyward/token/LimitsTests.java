package dev.keyward.token;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.keyward.testsupport.KafkaTestResource;
import dev.keyward.testsupport.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Active-token limits answer 409 Conflict with a specific error code. */
@QuarkusTest
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "keyward_token"))
@QuarkusTestResource(KafkaTestResource.class)
class LimitsTests {

    static final Map<String, List<String>> SCOPES = Map.of("repos:app", List.of("git:read"));

    @Inject
    TestOrgs orgs;

    /** Twelve tokens from the org's admin key: its creator's default limit, reached. */
    private static List<String> issueTwelve(TestOrgs.Org org) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            ids.add((String) TestOrgs.issue(org.adminKey(), "t" + i, "repo", SCOPES).get("id"));
        }
        return ids;
    }

    @Test
    void aCreatorHasAtMostTwelveActiveTokens() {
        TestOrgs.Org org = orgs.create();
        List<String> ids = issueTwelve(org);
        TestOrgs.create(org.adminKey(), TestOrgs.body("t13", "repo", SCOPES)).then().statusCode(409)
                .body("error", equalTo("user_token_limit"))
                .body("message", containsString("limit 12"));
        // Revoked tokens do not count.
        given().header("x-api-key", org.adminKey()).delete("/v1/tokens/" + ids.get(0)).then().statusCode(200);
        TestOrgs.create(org.adminKey(), TestOrgs.body("t13", "repo", SCOPES)).then().statusCode(201);
        assertThat(orgs.count("select count(*) from tokens where org_id = ? and revoked_at is null", org.id())).isEqualTo(13);
    }

    @Test
    void anOrgHasAtMostItsPolicysActiveTokens() {
        TestOrgs.Org org = orgs.create();
        assertThat(given().header("x-api-key", org.adminKey()).get("/v1/orgs/" + org.id() + "/policy")
                .then().statusCode(200).extract().jsonPath().getInt("max_tokens_per_org")).isEqualTo(1000);
        assertThat(TestOrgs.policy(org, Map.of("max_tokens_per_org", 3)).getInt("max_tokens_per_org")).isEqualTo(3);
        TestOrgs.issue(org.adminKey(), "a", "repo", SCOPES);
        TestOrgs.issue(org.adminKey(), "b", "repo", SCOPES);
        // The admin token itself is the third active token.
        TestOrgs.create(org.adminKey(), TestOrgs.body("c", "repo", SCOPES)).then().statusCode(409)
                .body("error", equalTo("org_token_limit"))
                .body("message", containsString("limit 3"));
    }

    @Test
    void aTokenPastItsExpiryFreesItsSlotBeforeTheExpiryJobMarksIt() {
        TestOrgs.Org org = orgs.create();
        List<String> ids = issueTwelve(org);
        // Past its expiry but not marked yet: still counted live, no longer active.
        orgs.sql("update tokens set expires_at = now() - interval '1 second' where id = ?", ids.get(0));
        TestOrgs.create(org.adminKey(), TestOrgs.body("t13", "repo", SCOPES)).then().statusCode(201);
        TestOrgs.create(org.adminKey(), TestOrgs.body("t14", "repo", SCOPES)).then().statusCode(409)
                .body("error", equalTo("user_token_limit"))
                .body("message", containsString("already has 12 active tokens"));
        assertThat(orgs.count("select live_tokens from orgs where id = ?", org.id())).isEqualTo(14); // 13 + the admin token
    }

    /**
     * The twelve count against the root of the creation chain: an admin key that mints three
     * token:write keys, each of which mints as many as it can, ends with twelve keys in all.
     */
    @Test
    void keysMintedByKeysCountAgainstTheRootOfTheChain() {
        TestOrgs.Org org = orgs.create();
        Map<String, List<String>> managerScopes = Map.of("repos:app", List.of("git:read"), "org", List.of("token:write"));
        List<String> managers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            managers.add((String) TestOrgs.issue(org.adminKey(), "manager" + i, "org", managerScopes).get("token"));
        }
        int minted = 0;
        for (String manager : managers) {
            for (int i = 0; i < 12; i++) {
                int status = TestOrgs.create(manager, TestOrgs.body("leaf" + i, "repo", SCOPES)).statusCode();
                assertThat(status).isIn(201, 409);
                minted += status == 201 ? 1 : 0;
            }
        }
        assertThat(minted).isEqualTo(9);
        TestOrgs.create(managers.get(2), TestOrgs.body("one-more", "repo", SCOPES)).then().statusCode(409)
                .body("error", equalTo("user_token_limit"));
        TestOrgs.create(org.adminKey(), TestOrgs.body("admin-too", "repo", SCOPES)).then().statusCode(409)
                .body("error", equalTo("user_token_limit"));
    }

    @Test
    void concurrentCreatesNeverPassTheLimit() throws Exception {
        TestOrgs.Org org = orgs.create();
        TestOrgs.policy(org, Map.of("max_tokens_per_creator", 5));
        List<Integer> statuses = concurrentCreates(org, "c", 16);
        assertThat(statuses).filteredOn(s -> s == 201).hasSize(5);
        assertThat(statuses).filteredOn(s -> s == 409).hasSize(11);
        assertThat(orgs.count("select live from creator_live_tokens where org_id = ? and created_by_user_id <> 'bootstrap'",
                org.id())).isEqualTo(5);
    }

    /**
     * With the creator's counter at its limit but its tokens past their expiry (unmarked), every
     * create counts exactly: the rows plus the tokens its group admitted before it and has not
     * written yet, so concurrent creates still stop at the limit.
     */
    @Test
    void concurrentCreatesCountedExactlyStopAtTheLimit() throws Exception {
        TestOrgs.Org org = orgs.create();
        TestOrgs.policy(org, Map.of("max_tokens_per_creator", 5));
        List<String> old = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            old.add((String) TestOrgs.issue(org.adminKey(), "old" + i, "repo", SCOPES).get("id"));
        }
        // Past their expiry, not marked by the job yet: still live in the counter, no longer active.
        for (String id : old) {
            orgs.sql("update tokens set expires_at = now() - interval '1 second' where id = ?", id);
        }
        List<Integer> statuses = concurrentCreates(org, "n", 16);
        assertThat(statuses).filteredOn(s -> s == 201).hasSize(5);
        assertThat(statuses).filteredOn(s -> s == 409).hasSize(11);
        List<String> active = io.restassured.RestAssured.given().header("x-api-key", org.adminKey())
                .get("/v1/tokens?page_size=200").then().statusCode(200).extract().path("tokens.name");
        assertThat(active).filteredOn(n -> n.startsWith("n")).hasSize(5);
        assertThat(active).filteredOn(n -> n.startsWith("old")).isEmpty();
    }

    /** The statuses of {@code count} creates by the org's admin key, eight at a time, named {@code prefix0…}. */
    private static List<Integer> concurrentCreates(TestOrgs.Org org, String prefix, int count) throws Exception {
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        try {
            List<java.util.concurrent.Future<Integer>> answers = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                String name = prefix + i;
                answers.add(pool.submit(() -> TestOrgs.create(org.adminKey(), TestOrgs.body(name, "repo", SCOPES)).statusCode()));
            }
            List<Integer> statuses = new ArrayList<>();
            for (java.util.concurrent.Future<Integer> answer : answers) {
                statuses.add(answer.get(60, java.util.concurrent.TimeUnit.SECONDS));
            }
            return statuses;
        } finally {
            pool.shutdownNow();
        }
    }
}
