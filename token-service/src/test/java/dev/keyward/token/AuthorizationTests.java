package dev.keyward.token;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.notNullValue;

import dev.keyward.contract.ApiKeyFormat;
import dev.keyward.contract.CidrBlock;
import dev.keyward.contract.TokenKind;
import dev.keyward.events.EventType;
import dev.keyward.testsupport.EventTap;
import dev.keyward.testsupport.KafkaTestResource;
import dev.keyward.testsupport.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.junit.jupiter.api.Test;

/** Who may call the control plane, and the subset rule. */
@QuarkusTest
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "keyward_token"))
@QuarkusTestResource(KafkaTestResource.class)
class AuthorizationTests {

    @Inject
    TestOrgs orgs;

    @Test
    void missingOrBadCredentialsAre401() {
        given().get("/v1/tokens").then().statusCode(401)
                .header("WWW-Authenticate", containsString("realm=\"keyward\""))
                .body("error", equalTo("missing")).body("message", notNullValue());
        given().header("Authorization", "Bearer kw_prod_o_notarealkey").get("/v1/tokens").then().statusCode(401)
                .body("error", notNullValue()).body("message", notNullValue());
        // Well-formed (right checksum) but never issued.
        String unknown = ApiKeyFormat.generate(ApiKeyFormat.Environment.PROD, TokenKind.ORG);
        given().header("x-api-key", unknown).get("/v1/tokens").then().statusCode(401)
                .body("error", equalTo("unknown"));
    }

    @Test
    void aKeyOnlyWorksFromItsAllowedCidrs() {
        TestOrgs.Org org = orgs.create();
        String fenced = (String) TestOrgs.create(org.adminKey(), Map.of("name", "fenced", "kind", "org",
                        "scopes", Map.of("org", List.of("token:write")), "allowed_cidrs", List.of("10.0.0.0/8")))
                .then().statusCode(201).extract().jsonPath().getString("token");
        given().header("x-api-key", fenced).get("/v1/tokens").then().statusCode(403).body("error", equalTo("cidr"));
        String local = (String) TestOrgs.create(org.adminKey(), Map.of("name", "local", "kind", "org",
                        "scopes", Map.of("org", List.of("token:write")), "allowed_cidrs", List.of("127.0.0.0/8", "::1")))
                .then().statusCode(201).extract().jsonPath().getString("token");
        given().header("x-api-key", local).get("/v1/tokens").then().statusCode(200);
    }

    @Test
    void customerSignedJwtsCannotManageTokens() throws Exception {
        TestOrgs.Org org = orgs.create();
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair pair = g.generateKeyPair();
        ECPublicKey pub = (ECPublicKey) pair.getPublic();
        given().header("x-api-key", org.adminKey()).contentType(ContentType.JSON)
                .body(Map.of("kty", "EC", "crv", "P-256", "kid", "k1", "alg", "ES256",
                        "x", PublicKeyTests.b64(pub.getW().getAffineX(), 32), "y", PublicKeyTests.b64(pub.getW().getAffineY(), 32)))
                .post("/v1/orgs/" + org.id() + "/keys").then().statusCode(201);
        JwtClaims claims = new JwtClaims();
        claims.setIssuer(org.id());
        claims.setSubject("agent-7");
        claims.setIssuedAtToNow();
        claims.setExpirationTimeMinutesInTheFuture(5);
        claims.setStringListClaim("scopes", List.of("org:read"));
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setKey(pair.getPrivate());
        jws.setKeyIdHeaderValue("k1");
        jws.setHeader("typ", "JWT");
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256);
        String jwt = jws.getCompactSerialization();
        // The verifier accepts the JWT (registered key), the control plane still refuses it.
        given().header("Authorization", "Bearer " + jwt).post("/v1/tokens/self/rotate").then().statusCode(403)
                .body("message", containsString("JWT"));
        given().header("Authorization", "Bearer " + jwt).get("/v1/tokens").then().statusCode(403);
    }

    @Test
    void repoTokensNeverReachTheControlPlane() {
        TestOrgs.Org org = orgs.create();
        String repoKey = (String) TestOrgs.issue(org.adminKey(), "ci", "repo", Map.of("repos:*", List.of("git:write"))).get("token");
        given().header("x-api-key", repoKey).get("/v1/tokens").then().statusCode(403)
                .body("error", equalTo("forbidden")).body("message", containsString("repo tokens"));
        given().header("x-api-key", repoKey).post("/v1/tokens/self/rotate").then().statusCode(403);
        given().header("x-api-key", repoKey).get("/v1/tokens/export").then().statusCode(403);
    }

    @Test
    void tokenEndpointsNeedTokenWrite() {
        TestOrgs.Org org = orgs.create();
        String reader = (String) TestOrgs.issue(org.adminKey(), "reader", "org", Map.of("org", List.of("org:read", "audit:read"))).get("token");
        given().header("x-api-key", reader).get("/v1/tokens").then().statusCode(403)
                .body("error", equalTo("scope")).body("message", containsString("token:write"));
        TestOrgs.create(reader, TestOrgs.body("x", "repo", Map.of("repos:a", List.of("git:read")))).then().statusCode(403);
    }

    @Test
    void nobodyCreatesATokenBeyondTheirOwnScopes() throws Exception {
        TestOrgs.Org org = orgs.create();
        Map<String, Object> limited = TestOrgs.issue(org.adminKey(), "team lead", "org",
                Map.of("org", List.of("token:write"), "repos:team/*", List.of("git:read")));
        String key = (String) limited.get("token");
        // Within its scopes: fine.
        TestOrgs.create(key, TestOrgs.body("ok", "repo", Map.of("repos:team/app", List.of("read")))).then().statusCode(201);
        try (EventTap tap = new EventTap()) {
            TestOrgs.create(key, TestOrgs.body("too much", "repo",
                            Map.of("repos:team/app", List.of("git:write"), "repos:other", List.of("git:read"))))
                    .then().statusCode(403)
                    .body("error", equalTo("scope_escalation"))
                    .body("excess", hasItems("repos:team/app=git:write", "repos:other=git:read"));
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(tap.ofOrg(org.id()))
                    .anySatisfy(r -> {
                        assertThat(r.event().type()).isEqualTo(EventType.SCOPE_ESCALATED);
                        assertThat(r.event().data().actor()).isEqualTo(limited.get("id"));
                        assertThat(r.event().data().outcome()).isEqualTo("denied");
                        assertThat(r.event().data().operation()).isEqualTo("token:create");
                        assertThat(r.json()).contains("repos:other=git:read").doesNotContain(key);
                    }));
        }
        assertThat(orgs.count("select count(*) from tokens where name = 'too much' and org_id = ?", org.id())).isZero();
    }

    @Test
    void aTokenBehindAnAddressFenceOnlyMakesTokensInsideIt() throws Exception {
        TestOrgs.Org org = orgs.create();
        Map<String, Object> body = new java.util.HashMap<>(TestOrgs.body("fenced", "org",
                Map.of("org", List.of("token:write"), "repos:*", List.of("git:read"))));
        body.put("allowed_cidrs", List.of("127.0.0.0/8"));
        Map<String, Object> fenced = TestOrgs.create(org.adminKey(), body).then().statusCode(201).extract().as(Map.class);
        String key = (String) fenced.get("token");
        Map<String, List<String>> read = Map.of("repos:app", List.of("git:read"));

        // Without allowed_cidrs the new token inherits the fence; a narrower one is fine.
        Map<String, Object> inherited = TestOrgs.issue(key, "inherits", "repo", read);
        assertThat(inherited.get("allowed_cidrs")).isEqualTo(List.of("127.0.0.0/8"));
        Map<String, Object> narrower = new java.util.HashMap<>(TestOrgs.body("narrower", "repo", read));
        narrower.put("allowed_cidrs", List.of("127.0.0.1/32"));
        TestOrgs.create(key, narrower).then().statusCode(201);

        try (EventTap tap = new EventTap()) {
            for (String wider : List.of("0.0.0.0/0", "10.0.0.0/8", "::1/128")) {
                Map<String, Object> escape = new java.util.HashMap<>(TestOrgs.body("escape", "repo", read));
                escape.put("allowed_cidrs", List.of("127.0.0.1/32", wider));
                TestOrgs.create(key, escape).then().statusCode(403)
                        .body("error", equalTo("cidr_escalation"))
                        .body("excess", hasItems(CidrBlock.parse(wider).canonical()));
            }
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(tap.ofOrg(org.id()))
                    .anySatisfy(r -> {
                        assertThat(r.event().type()).isEqualTo(EventType.SCOPE_ESCALATED);
                        assertThat(r.event().data().reason()).isEqualTo("cidr_escalation");
                        assertThat(r.event().data().actor()).isEqualTo(fenced.get("id"));
                        assertThat(r.json()).doesNotContain(key);
                    }));
        }
        assertThat(orgs.count("select count(*) from tokens where name = 'escape' and org_id = ?", org.id())).isZero();

        // Rotating an unfenced token would hand the fenced caller a key usable from anywhere.
        String open = (String) TestOrgs.issue(org.adminKey(), "open", "repo", read).get("id");
        given().header("x-api-key", key).post("/v1/tokens/" + open + "/rotate").then().statusCode(403)
                .body("error", equalTo("cidr_escalation"));
        given().header("x-api-key", key).post("/v1/tokens/" + inherited.get("id") + "/rotate").then().statusCode(200);
    }

    @Test
    void rotatingABroaderTokenIsAnEscalation() throws Exception {
        TestOrgs.Org org = orgs.create();
        String adminId = LifecycleSupport.introspect(org.adminKey()).getString("id");
        String narrow = (String) TestOrgs.issue(org.adminKey(), "narrow", "org", Map.of("org", List.of("token:write"))).get("token");
        try (EventTap tap = new EventTap()) {
            given().header("x-api-key", narrow).post("/v1/tokens/" + adminId + "/rotate").then().statusCode(403)
                    .body("error", equalTo("scope_escalation"));
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(tap.about(adminId))
                    .anySatisfy(r -> {
                        assertThat(r.event().type()).isEqualTo(EventType.SCOPE_ESCALATED);
                        assertThat(r.event().data().operation()).isEqualTo("token:rotate");
                    }));
        }
        // The admin key still works: nothing was rotated.
        assertThat(LifecycleSupport.introspect(org.adminKey()).getBoolean("active")).isTrue();
    }

    @Test
    void anotherOrgsTokensAreInvisible() {
        TestOrgs.Org a = orgs.create();
        TestOrgs.Org b = orgs.create();
        String idInA = (String) TestOrgs.issue(a.adminKey(), "a's", "repo", Map.of("repos:x", List.of("git:read"))).get("id");
        given().header("x-api-key", b.adminKey()).get("/v1/tokens/" + idInA).then().statusCode(404);
        given().header("x-api-key", b.adminKey()).delete("/v1/tokens/" + idInA).then().statusCode(404);
        given().header("x-api-key", b.adminKey()).post("/v1/tokens/" + idInA + "/rotate").then().statusCode(404);
    }
}
