package dev.keyward.token;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;

import dev.keyward.testsupport.KafkaTestResource;
import dev.keyward.testsupport.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.math.BigInteger;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Customer public keys: ES256 and RS256 JWKs only, public only, per org. */
@QuarkusTest
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "keyward_token"))
@QuarkusTestResource(KafkaTestResource.class)
class PublicKeyTests {

    @Inject
    TestOrgs orgs;

    static Map<String, Object> ecJwk(String kid) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        ECPublicKey pub = (ECPublicKey) g.generateKeyPair().getPublic();
        return new HashMap<>(Map.of("kty", "EC", "crv", "P-256", "kid", kid, "alg", "ES256",
                "x", b64(pub.getW().getAffineX(), 32), "y", b64(pub.getW().getAffineY(), 32)));
    }

    static Map<String, Object> rsaJwk(String kid, int bits, boolean withPrivate) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(bits);
        var pair = g.generateKeyPair();
        RSAPublicKey pub = (RSAPublicKey) pair.getPublic();
        Map<String, Object> jwk = new HashMap<>(Map.of("kty", "RSA", "kid", kid, "alg", "RS256",
                "n", b64(pub.getModulus(), 0), "e", b64(pub.getPublicExponent(), 0)));
        if (withPrivate) {
            jwk.put("d", b64(((RSAPrivateCrtKey) pair.getPrivate()).getPrivateExponent(), 0));
        }
        return jwk;
    }

    static String b64(BigInteger value, int length) {
        byte[] bytes = value.toByteArray();
        if (bytes[0] == 0 && bytes.length > 1) {
            bytes = Arrays.copyOfRange(bytes, 1, bytes.length);
        }
        if (length > bytes.length) {
            byte[] padded = new byte[length];
            System.arraycopy(bytes, 0, padded, length - bytes.length, bytes.length);
            bytes = padded;
        }
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    Response post(String key, String org, Object jwk) {
        return given().header("x-api-key", key).contentType(ContentType.JSON).body(jwk).post("/v1/orgs/" + org + "/keys");
    }

    @Test
    void registersListsAndDeletesKeys() throws Exception {
        TestOrgs.Org org = orgs.create();
        Map<String, Object> ec = ecJwk("ec-1");
        post(org.adminKey(), org.id(), ec).then().statusCode(201)
                .body("kid", equalTo("ec-1")).body("alg", equalTo("ES256")).body("x", equalTo(ec.get("x")));
        post(org.adminKey(), org.id(), rsaJwk("rsa-1", 2048, false)).then().statusCode(201).body("kty", equalTo("RSA"));
        post(org.adminKey(), org.id(), ecJwk("ec-1")).then().statusCode(409).body("error", equalTo("duplicate_kid"));

        given().header("x-api-key", org.adminKey()).get("/v1/orgs/" + org.id() + "/keys").then().statusCode(200)
                .body("keys.kid", equalTo(List.of("ec-1", "rsa-1")));
        given().header("X-Keyward-Internal", TestOrgs.INTERNAL_SECRET).get("/internal/orgs/" + org.id() + "/keys")
                .then().statusCode(200).body("keys", hasSize(2)).body("keys[0].kty", equalTo("EC"))
                .body("keys[0].alg", equalTo("ES256"));

        given().header("x-api-key", org.adminKey()).delete("/v1/orgs/" + org.id() + "/keys/ec-1").then().statusCode(200)
                .body("deleted", equalTo(true));
        given().header("x-api-key", org.adminKey()).delete("/v1/orgs/" + org.id() + "/keys/ec-1").then().statusCode(404);
        given().header("X-Keyward-Internal", TestOrgs.INTERNAL_SECRET).get("/internal/orgs/" + org.id() + "/keys")
                .then().statusCode(200).body("keys.kid", equalTo(List.of("rsa-1")));
    }

    @Test
    void refusesPrivateWeakAndForeignKeys() throws Exception {
        TestOrgs.Org org = orgs.create();
        post(org.adminKey(), org.id(), rsaJwk("priv", 2048, true)).then().statusCode(422).body("error", equalTo("private_key"));
        post(org.adminKey(), org.id(), rsaJwk("weak", 1024, false)).then().statusCode(422).body("message",
                containsString("2048"));
        post(org.adminKey(), org.id(), Map.of("kty", "oct", "kid", "hs", "alg", "HS256", "k", "c2VjcmV0")).then().statusCode(422);
        Map<String, Object> hs = ecJwk("hs");
        hs.put("alg", "HS256");
        post(org.adminKey(), org.id(), hs).then().statusCode(422);
        Map<String, Object> noKid = ecJwk("x");
        noKid.remove("kid");
        post(org.adminKey(), org.id(), noKid).then().statusCode(422).body("message", containsString("kid"));
        Map<String, Object> offCurve = ecJwk("off");
        offCurve.put("y", offCurve.get("x"));
        post(org.adminKey(), org.id(), offCurve).then().statusCode(422);
        Map<String, Object> p384 = ecJwk("p384");
        p384.put("crv", "P-384");
        post(org.adminKey(), org.id(), p384).then().statusCode(422);
    }

    @Test
    void anOrgNeverTouchesAnothersKeys() throws Exception {
        TestOrgs.Org a = orgs.create();
        TestOrgs.Org b = orgs.create();
        post(a.adminKey(), a.id(), ecJwk("a-key")).then().statusCode(201);
        post(b.adminKey(), a.id(), ecJwk("b-key")).then().statusCode(404).body("error", equalTo("not_found"));
        given().header("x-api-key", b.adminKey()).get("/v1/orgs/" + a.id() + "/keys").then().statusCode(404);
        given().header("x-api-key", b.adminKey()).delete("/v1/orgs/" + a.id() + "/keys/a-key").then().statusCode(404);
        given().header("x-api-key", a.adminKey()).get("/v1/orgs/" + a.id() + "/keys").then().statusCode(200)
                .body("keys.kid", equalTo(List.of("a-key")));
        String reader = (String) TestOrgs.issue(a.adminKey(), "reader", "org", Map.of("org", List.of("org:read"))).get("token");
        post(reader, a.id(), ecJwk("r")).then().statusCode(403);
    }

    @Test
    void servesTheJwksAndTheInternalKeyListing() {
        // Keyward's own keys only (none before the first exchange): never a customer's, never a private member.
        given().get("/.well-known/jwks.json").then().statusCode(200)
                .body("keys.kid", everyItem(startsWith("kw-"))).body("keys.d", everyItem(nullValue()));
        given().header("X-Keyward-Internal", TestOrgs.INTERNAL_SECRET).get("/internal/orgs/no-such-org/keys")
                .then().statusCode(200).body("keys", hasSize(0));
        given().get("/internal/orgs/no-such-org/keys").then().statusCode(401);
    }
}
