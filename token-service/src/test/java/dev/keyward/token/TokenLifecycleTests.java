package dev.keyward.token;

import static dev.keyward.token.TestOrgs.issue;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;

import dev.keyward.contract.ApiKeyFormat;
import dev.keyward.contract.TokenKind;
import dev.keyward.testsupport.KafkaTestResource;
import dev.keyward.testsupport.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "keyward_token"))
@QuarkusTestResource(KafkaTestResource.class)
class TokenLifecycleTests {

    static final Map<String, List<String>> CI_SCOPES = Map.of("repos:team/*", List.of("git:read", "git:write"));

    @Inject
    TestOrgs orgs;

    @Test
    void createsATokenAndShowsTheKeyOnce() {
        TestOrgs.Org org = orgs.create();
        JsonPath created = TestOrgs.create(org.adminKey(), Map.of("name", "ci deploy", "kind", "repo",
                        "scopes", Map.of("repos:team/*", List.of("read", "git:write")), "expires_in", 7200,
                        "environment", "prod"))
                .then().statusCode(201)
                .body("id", startsWith("tok_"))
                .body("name", equalTo("ci deploy"))
                .body("kind", equalTo("repo"))
                .body("scopes.'repos:team/*'", equalTo(List.of("git:read", "git:write")))
                .body("created_at", notNullValue())
                .extract().jsonPath();
        String key = created.getString("token");
        ApiKeyFormat.ParsedKey parsed = ApiKeyFormat.parse(key).orElseThrow();
        assertThat(parsed.kind()).isEqualTo(TokenKind.REPO);
        assertThat(parsed.environment()).isEqualTo(ApiKeyFormat.Environment.PROD);
        // The head and 8 characters of the random part (SPEC: at least 6), as seed 003 shows them.
        assertThat(created.getString("key_prefix")).isEqualTo(ApiKeyFormat.prefixOf(key)).matches("kw_prod_r_[0-9A-Za-z]{8}");
        Instant createdAt = Instant.parse(created.getString("created_at"));
        assertThat(Duration.between(createdAt, Instant.parse(created.getString("expires_at")))).isEqualTo(Duration.ofSeconds(7200));

        // The record never shows the key again, and the database holds only its keyed hash.
        String id = created.getString("id");
        String record = given().header("x-api-key", org.adminKey()).get("/v1/tokens/" + id)
                .then().statusCode(200)
                .body("id", equalTo(id))
                .body("key_prefix", equalTo(parsed.prefix()))
                .body("environment", equalTo("prod"))
                .body("allowed_cidrs", equalTo(List.of()))
                .body("revoked_at", nullValue())
                .body("last_used_at", nullValue())
                .extract().asString();
        assertThat(record).doesNotContain(key);
        assertThat(orgs.count("select count(*) from tokens where id = ? and key_hash <> ? and length(key_hash) = 64", id, key))
                .isEqualTo(1);
    }

    @Test
    void defaultsToNinetyDaysAndProd() {
        TestOrgs.Org org = orgs.create();
        JsonPath created = TestOrgs.create(org.adminKey(), TestOrgs.body("plain", "org", Map.of("org", List.of("org:read"))))
                .then().statusCode(201).extract().jsonPath();
        Duration ttl = Duration.between(Instant.parse(created.getString("created_at")), Instant.parse(created.getString("expires_at")));
        assertThat(ttl).isEqualTo(Duration.ofDays(90));
        // The bootstrap admin token is a dev key; without "environment" the new key is prod all the same
        // (one default, whoever creates it), and the answer says so.
        assertThat(org.adminKey()).startsWith("kw_dev_o_");
        assertThat(created.getString("token")).startsWith("kw_prod_o_");
        assertThat(created.getString("environment")).isEqualTo("prod");
        String dev = TestOrgs.create(org.adminKey(), Map.of("name", "dev", "kind", "org", "scopes", Map.of("org", List.of("org:read")),
                "environment", "dev")).then().statusCode(201).extract().jsonPath().getString("token");
        assertThat(dev).startsWith("kw_dev_o_");
    }

    @Test
    void recordsWhoCreatedEachToken() {
        TestOrgs.Org org = orgs.create();
        String adminId = adminTokenId(org);
        String adminPrefix = ApiKeyFormat.prefixOf(org.adminKey());
        Map<String, Object> child = issue(org.adminKey(), "delegate", "org",
                Map.of("org", List.of("token:write"), "repos:team/*", List.of("git:read")));
        given().header("x-api-key", org.adminKey()).get("/v1/tokens/" + child.get("id")).then().statusCode(200)
                .body("created_by.user_id", equalTo(adminId))
                .body("created_by.name", equalTo("bootstrap org admin"))
                .body("created_by.token_prefix", equalTo(adminPrefix));
        Map<String, Object> grandchild = issue((String) child.get("token"), "ci", "repo", Map.of("repos:team/a", List.of("git:read")));
        // The user is the root of the creation chain (whom the per-creator limit counts against);
        // the name and prefix are the key that minted it.
        given().header("x-api-key", org.adminKey()).get("/v1/tokens/" + grandchild.get("id")).then().statusCode(200)
                .body("created_by.user_id", equalTo(adminId))
                .body("created_by.name", equalTo("delegate"))
                .body("created_by.token_prefix", equalTo(child.get("key_prefix")));
    }

    @Test
    void listsPageByPageInAStableOrder() {
        TestOrgs.Org org = orgs.create();
        List<String> ids = new ArrayList<>();
        ids.add(adminTokenId(org));
        for (int i = 0; i < 4; i++) {
            ids.add((String) issue(org.adminKey(), "t" + i, "repo", CI_SCOPES).get("id"));
        }
        List<String> seen = new ArrayList<>();
        String pageToken = null;
        int pages = 0;
        do {
            var request = given().header("x-api-key", org.adminKey()).queryParam("page_size", 2);
            if (pageToken != null) {
                request.queryParam("page_token", pageToken);
            }
            JsonPath page = request.get("/v1/tokens").then().statusCode(200).extract().jsonPath();
            List<String> pageIds = page.getList("tokens.id");
            assertThat(pageIds).hasSizeLessThanOrEqualTo(2);
            seen.addAll(pageIds);
            pageToken = page.getString("next_page_token");
            pages++;
        } while (pageToken != null);
        assertThat(pages).isEqualTo(3);
        assertThat(seen).containsExactlyElementsOf(ids);
        given().header("x-api-key", org.adminKey()).get("/v1/tokens").then().statusCode(200)
                .body("tokens.size()", equalTo(5))
                .body("tokens[1].created_by.user_id", equalTo(ids.get(0)));
    }

    @Test
    void revokedTokensLeaveTheActiveListingAndStopWorking() {
        TestOrgs.Org org = orgs.create();
        Map<String, Object> token = issue(org.adminKey(), "short-lived", "org", Map.of("org", List.of("token:write")));
        String id = (String) token.get("id");
        given().header("x-api-key", (String) token.get("token")).get("/v1/tokens").then().statusCode(200);

        given().header("x-api-key", org.adminKey()).delete("/v1/tokens/" + id).then().statusCode(200)
                .body("id", equalTo(id)).body("revoked", equalTo(true));
        given().header("x-api-key", org.adminKey()).delete("/v1/tokens/" + id).then().statusCode(200)
                .body("revoked", equalTo(true));

        given().header("x-api-key", (String) token.get("token")).get("/v1/tokens").then().statusCode(401)
                .body("error", equalTo("revoked"));
        List<String> active = given().header("x-api-key", org.adminKey()).get("/v1/tokens")
                .then().statusCode(200).extract().jsonPath().getList("tokens.id");
        assertThat(active).doesNotContain(id);
        given().header("x-api-key", org.adminKey()).queryParam("state", "all").get("/v1/tokens")
                .then().statusCode(200)
                .body("tokens.find { it.id == '" + id + "' }.revoked_at", notNullValue());
        given().header("x-api-key", org.adminKey()).delete("/v1/tokens/tok_doesnotexist").then().statusCode(404)
                .body("error", equalTo("not_found"));
    }

    @Test
    void rotationIssuesANewKeyAndTheOldOneDiesAfterTheGrace() {
        TestOrgs.Org org = orgs.create();
        Map<String, Object> token = issue(org.adminKey(), "rotating", "org", Map.of("org", List.of("org:read")));
        String id = (String) token.get("id");
        String oldKey = (String) token.get("token");

        JsonPath rotated = given().header("x-api-key", org.adminKey()).contentType(ContentType.JSON)
                .body(Map.of("grace_seconds", 3600)).post("/v1/tokens/" + id + "/rotate")
                .then().statusCode(200)
                .body("id", equalTo(id))
                .body("previous_key_prefix", equalTo(token.get("key_prefix")))
                .extract().jsonPath();
        String newKey = rotated.getString("token");
        assertThat(newKey).isNotEqualTo(oldKey);
        assertThat(ApiKeyFormat.parse(newKey)).isPresent();
        assertThat(introspect(oldKey).getBoolean("active")).isTrue();
        assertThat(introspect(newKey).getString("id")).isEqualTo(id);

        // Grace over: only the new key works.
        orgs.sql("update tokens set previous_key_expires_at = now() - interval '1 second' where id = ?", id);
        assertThat(introspect(oldKey).getString("reason")).isEqualTo("revoked");
        assertThat(introspect(newKey).getBoolean("active")).isTrue();

        // Without grace_seconds the grace is 0: the old key dies at once.
        String third = given().header("x-api-key", org.adminKey()).post("/v1/tokens/" + id + "/rotate")
                .then().statusCode(200).extract().jsonPath().getString("token");
        assertThat(introspect(newKey).getBoolean("active")).isFalse();
        assertThat(introspect(third).getBoolean("active")).isTrue();

        given().header("x-api-key", org.adminKey()).contentType(ContentType.JSON).body(Map.of("grace_seconds", -1))
                .post("/v1/tokens/" + id + "/rotate").then().statusCode(422);
        given().header("x-api-key", org.adminKey()).delete("/v1/tokens/" + id).then().statusCode(200);
        given().header("x-api-key", org.adminKey()).post("/v1/tokens/" + id + "/rotate").then().statusCode(409)
                .body("error", equalTo("token_revoked"));
    }

    @Test
    void aTokenRotatesItself() {
        TestOrgs.Org org = orgs.create();
        Map<String, Object> token = issue(org.adminKey(), "agent", "org", Map.of("org", List.of("org:read")));
        String key = (String) token.get("token");
        // No token:write needed to rotate oneself.
        String newKey = given().header("Authorization", "Bearer " + key).contentType(ContentType.JSON)
                .body(Map.of("grace_seconds", 60)).post("/v1/tokens/self/rotate")
                .then().statusCode(200).body("id", equalTo(token.get("id")))
                .extract().jsonPath().getString("token");
        assertThat(introspect(newKey).getBoolean("active")).isTrue();
        assertThat(introspect(key).getBoolean("active")).isTrue();
        given().header("Authorization", "Bearer " + key).get("/v1/tokens").then().statusCode(403);
    }

    /** What {@code keyward auth status} reads: any live key, org or repo, reads its own record and nothing else. */
    @Test
    void aKeyReadsItsOwnRecord() {
        TestOrgs.Org org = orgs.create();
        Map<String, Object> repoToken = issue(org.adminKey(), "ci", "repo", CI_SCOPES);
        String repoKey = (String) repoToken.get("token");
        String body = given().header("x-api-key", repoKey).get("/v1/tokens/self")
                .then().statusCode(200)
                .body("id", equalTo(repoToken.get("id")))
                .body("org", equalTo(org.id()))
                .body("kind", equalTo("repo"))
                .body("environment", equalTo("prod"))
                .body("key_prefix", equalTo(repoToken.get("key_prefix")))
                .body("scopes.'repos:team/*'", equalTo(List.of("git:read", "git:write")))
                .body("expires_at", equalTo(repoToken.get("expires_at")))
                .extract().asString();
        assertThat(body).doesNotContain(repoKey);
        // An org key without token:write: itself only, not the listing.
        Map<String, Object> reader = issue(org.adminKey(), "reader", "org", Map.of("org", List.of("org:read")));
        given().header("Authorization", "Bearer " + reader.get("token")).get("/v1/tokens/self").then().statusCode(200)
                .body("id", equalTo(reader.get("id"))).body("kind", equalTo("org"));
        given().header("x-api-key", repoKey).get("/v1/tokens/" + reader.get("id")).then().statusCode(403);

        given().get("/v1/tokens/self").then().statusCode(401);
        given().header("x-api-key", org.adminKey()).delete("/v1/tokens/" + repoToken.get("id")).then().statusCode(200);
        given().header("x-api-key", repoKey).get("/v1/tokens/self").then().statusCode(401).body("error", equalTo("revoked"));
    }

    @Test
    void exportsEveryTokenForAuditorsOnly() {
        TestOrgs.Org org = orgs.create();
        Map<String, Object> revoked = issue(org.adminKey(), "gone", "repo", CI_SCOPES);
        given().header("x-api-key", org.adminKey()).delete("/v1/tokens/" + revoked.get("id")).then().statusCode(200);
        Map<String, Object> writer = issue(org.adminKey(), "writer", "org", Map.of("org", List.of("token:write")));
        Map<String, Object> auditor = issue(org.adminKey(), "auditor", "org", Map.of("org", List.of("audit:read")));

        given().header("x-api-key", (String) writer.get("token")).get("/v1/tokens/export").then().statusCode(403)
                .body("error", equalTo("scope"));
        String export = given().header("x-api-key", (String) auditor.get("token")).get("/v1/tokens/export")
                .then().statusCode(200)
                .body("org", equalTo(org.id()))
                .body("count", equalTo(4))
                .body("tokens.find { it.id == '" + revoked.get("id") + "' }.revoked_at", notNullValue())
                .body("tokens[0].created_by", notNullValue())
                .extract().asString();
        assertThat(export).doesNotContain((String) writer.get("token")).doesNotContain(org.adminKey());
    }

    private String adminTokenId(TestOrgs.Org org) {
        return introspect(org.adminKey()).getString("id");
    }

    static JsonPath introspect(String key) {
        return LifecycleSupport.introspect(key);
    }
}
