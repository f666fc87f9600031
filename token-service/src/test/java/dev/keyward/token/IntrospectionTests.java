package dev.keyward.token;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.keyward.contract.ApiKeyFormat;
import dev.keyward.contract.TokenKind;
import dev.keyward.testsupport.KafkaTestResource;
import dev.keyward.testsupport.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** POST /internal/introspect exactly as docs/internal-contracts.md fixes it. */
@QuarkusTest
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "keyward_token"))
@QuarkusTestResource(KafkaTestResource.class)
class IntrospectionTests {

    @Inject
    TestOrgs orgs;

    @Test
    void answersTheClaimsOfAnActiveKey() {
        TestOrgs.Org org = orgs.create();
        String adminId = LifecycleSupport.introspect(org.adminKey()).getString("id");
        Map<String, Object> token = TestOrgs.create(org.adminKey(), Map.of("name", "ci", "kind", "repo", "environment", "prod",
                "scopes", Map.of("repos:team/*", List.of("write")), "allowed_cidrs", List.of("10.0.0.0/8")))
                .then().statusCode(201).extract().jsonPath().getMap("");
        Map<String, Object> claims = LifecycleSupport.introspect((String) token.get("token")).getMap("");
        assertThat(claims).containsEntry("active", true)
                .containsEntry("id", token.get("id"))
                .containsEntry("org", org.id())
                .containsEntry("subject", adminId)
                .containsEntry("kind", "repo")
                .containsEntry("environment", "prod")
                .containsEntry("scopes", Map.of("repos:team/*", List.of("git:write")))
                .containsEntry("key_prefix", token.get("key_prefix"))
                .containsEntry("expires_at", token.get("expires_at"))
                .containsEntry("allowed_cidrs", List.of("10.0.0.0/8"));
    }

    @Test
    void saysWhyAKeyIsNotActive() {
        TestOrgs.Org org = orgs.create();
        String never = ApiKeyFormat.generate(ApiKeyFormat.Environment.DEV, TokenKind.ORG);
        assertThat(LifecycleSupport.introspect(never).getMap("")).isEqualTo(Map.of("active", false, "reason", "unknown"));
        assertThat(LifecycleSupport.introspect("kw_dev_o_garbage").getMap("")).isEqualTo(Map.of("active", false, "reason", "unknown"));

        Map<String, Object> revoked = TestOrgs.issue(org.adminKey(), "r", "repo", Map.of("repos:a", List.of("git:read")));
        given().header("x-api-key", org.adminKey()).delete("/v1/tokens/" + revoked.get("id")).then().statusCode(200);
        assertThat(LifecycleSupport.introspect((String) revoked.get("token")).getMap(""))
                .isEqualTo(Map.of("active", false, "reason", "revoked"));

        Map<String, Object> expired = TestOrgs.issue(org.adminKey(), "e", "repo", Map.of("repos:a", List.of("git:read")));
        orgs.sql("update tokens set expires_at = now() - interval '1 second' where id = ?", expired.get("id"));
        assertThat(LifecycleSupport.introspect((String) expired.get("token")).getMap(""))
                .isEqualTo(Map.of("active", false, "reason", "expired"));
        // Expired tokens leave the active listing too.
        List<String> active = given().header("x-api-key", org.adminKey()).get("/v1/tokens").then().statusCode(200)
                .extract().jsonPath().getList("tokens.id");
        assertThat(active).doesNotContain((String) expired.get("id"));
    }

    @Test
    void needsTheInternalSecret() {
        given().contentType(ContentType.JSON).body(Map.of("token", "x")).post("/internal/introspect")
                .then().statusCode(401).body("error", equalTo("unauthorized"));
        given().header("X-Keyward-Internal", "wrong").contentType(ContentType.JSON).body(Map.of("token", "x"))
                .post("/internal/introspect").then().statusCode(401);
        given().header("X-Keyward-Internal", TestOrgs.INTERNAL_SECRET).contentType(ContentType.JSON).body("{}")
                .post("/internal/introspect").then().statusCode(400).body("error", equalTo("bad_request"));
    }
}
