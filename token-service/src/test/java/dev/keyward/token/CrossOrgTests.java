package dev.keyward.token;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.oneOf;

import dev.keyward.testsupport.KafkaTestResource;
import dev.keyward.testsupport.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Org A's admin token against every control-plane endpoint that names org B's resources (IDOR):
 * 403/404, never B's data, never a change to B. And scope escalation through create and rotate.
 */
@QuarkusTest
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "keyward_token"))
@QuarkusTestResource(KafkaTestResource.class)
class CrossOrgTests {

    @Inject
    TestOrgs orgs;

    @Test
    void anotherOrgsAdminReachesNothingOfOurs() throws Exception {
        TestOrgs.Org a = orgs.create();
        TestOrgs.Org b = orgs.create();
        Map<String, Object> bToken = TestOrgs.issue(b.adminKey(), "b-secret-name", "org", Map.of("org", List.of("audit:read")));
        String bId = (String) bToken.get("id");
        String bPrefix = (String) bToken.get("key_prefix");
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        ECPublicKey pub = (ECPublicKey) g.generateKeyPair().getPublic();
        Map<String, Object> jwk = Map.of("kty", "EC", "crv", "P-256", "kid", "b-kid", "alg", "ES256",
                "x", PublicKeyTests.b64(pub.getW().getAffineX(), 32), "y", PublicKeyTests.b64(pub.getW().getAffineY(), 32));
        given().header("x-api-key", b.adminKey()).contentType(ContentType.JSON).body(jwk).post("/v1/orgs/" + b.id() + "/keys")
                .then().statusCode(201);

        Function<String, io.restassured.specification.RequestSpecification> asA = h -> given().header(h, h.equals("Authorization")
                ? "Bearer " + a.adminKey() : a.adminKey());
        List<Response> answers = List.of(
                asA.apply("x-api-key").get("/v1/tokens/" + bId),
                asA.apply("Authorization").delete("/v1/tokens/" + bId),
                asA.apply("x-api-key").contentType(ContentType.JSON).body("{\"grace_seconds\": 0}").post("/v1/tokens/" + bId + "/rotate"),
                asA.apply("x-api-key").get("/v1/orgs/" + b.id() + "/keys"),
                asA.apply("x-api-key").delete("/v1/orgs/" + b.id() + "/keys/b-kid"),
                asA.apply("x-api-key").contentType(ContentType.JSON).body(Map.of("kty", "EC", "crv", "P-256", "kid", "a-in-b",
                        "x", jwk.get("x"), "y", jwk.get("y"))).post("/v1/orgs/" + b.id() + "/keys"),
                // Ids that look like path tricks land on nothing.
                asA.apply("x-api-key").get("/v1/tokens/..%2F" + bId),
                asA.apply("x-api-key").get("/v1/orgs/" + b.id() + "%2F..%2F" + a.id() + "/keys"));
        for (Response r : answers) {
            assertThat(r.statusCode()).as(r.asString()).isIn(403, 404);
            assertThat(r.contentType()).startsWith("application/json");
            assertThat(r.asString()).doesNotContain(bPrefix).doesNotContain("b-secret-name").doesNotContain((String) jwk.get("x"));
        }
        // Listings and the export show only A's own tokens.
        String listing = asA.apply("x-api-key").queryParam("state", "all").get("/v1/tokens").then().statusCode(200).extract().asString();
        String export = asA.apply("x-api-key").get("/v1/tokens/export").then().statusCode(200).extract().asString();
        for (String page : List.of(listing, export)) {
            assertThat(page).doesNotContain(bId).doesNotContain(bPrefix).doesNotContain(b.id());
        }
        // Nothing of B changed.
        assertThat(LifecycleSupport.introspect((String) bToken.get("token")).getBoolean("active")).isTrue();
        assertThat(orgs.count("select count(*) from tokens where org_id = ? and revoked_at is null", b.id())).isEqualTo(2);
        assertThat(orgs.count("select count(*) from customer_public_keys where org_id = ?", b.id())).isEqualTo(1);
        assertThat(orgs.count("select count(*) from customer_public_keys where org_id = ?", a.id())).isZero();
    }

    @Test
    void anOrgTokenCannotCreateOrRotateIntoMore() {
        TestOrgs.Org org = orgs.create();
        String lead = (String) TestOrgs.issue(org.adminKey(), "lead", "org",
                Map.of("org", List.of("token:write"), "repos:team/*", List.of("git:read"))).get("token");
        long before = orgs.count("select count(*) from tokens where org_id = ?", org.id());
        // Wider pattern, stronger permission, another org-level permission, write shorthand, all repos.
        for (Map<String, List<String>> wider : List.of(
                Map.of("repos:*", List.of("git:read")),
                Map.of("repos:team/*", List.of("write")),
                Map.of("repos:team", List.of("git:read")),
                Map.of("repos:team/../other", List.of("git:read")))) {
            TestOrgs.create(lead, TestOrgs.body("wider", "repo", wider)).then().statusCode(oneOf(403, 422))
                    .body("error", oneOf("scope_escalation", "invalid_scopes", "invalid_request"));
        }
        TestOrgs.create(lead, TestOrgs.body("audit", "org", Map.of("org", List.of("audit:read")))).then().statusCode(403)
                .body("error", equalTo("scope_escalation"));
        TestOrgs.create(lead, TestOrgs.body("same", "org", Map.of("org", List.of("token:write", "repo:write")))).then().statusCode(403);
        assertThat(orgs.count("select count(*) from tokens where org_id = ?", org.id())).isEqualTo(before);

        // Rotating a broader token would hand the rotator its secret: refused, nothing rotated.
        String auditorId = (String) TestOrgs.issue(org.adminKey(), "auditor", "org", Map.of("org", List.of("audit:read"))).get("id");
        given().header("x-api-key", lead).post("/v1/tokens/" + auditorId + "/rotate").then().statusCode(403)
                .body("error", equalTo("scope_escalation"));
        assertThat(orgs.count("select count(*) from tokens where id = ? and revoked_at is null", auditorId)).isEqualTo(1);
    }
}
