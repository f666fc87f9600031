package dev.keyward.token;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.oneOf;
import static org.hamcrest.Matchers.notNullValue;

import dev.keyward.testsupport.KafkaTestResource;
import dev.keyward.testsupport.PostgresTestResource;
import dev.keyward.testsupport.RawHttp;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.net.URL;
import java.nio.file.Files;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Oversized, malformed and junk requests: each one a clear 4xx with {@code {error, message}} (or,
 * for what the HTTP codec refuses before any application code runs, a bare 4xx), and nothing stored.
 */
@QuarkusTest
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "keyward_token"))
@QuarkusTestResource(KafkaTestResource.class)
class HostileRequestTests {

    @Inject
    TestOrgs orgs;

    @TestHTTPResource("/")
    URL root;

    TestOrgs.Org org;

    @BeforeEach
    void newOrg() {
        org = orgs.create();
    }

    /** Every request above carried the admin key, often in a refused shape: none may have logged it. */
    @AfterEach
    void theKeyNeverReachedTheLog() throws Exception {
        assertThat(Files.readString(LogSecrecyTests.LOG)).doesNotContain(org.adminKey());
    }

    private long tokensOfOrg() {
        return orgs.count("select count(*) from tokens where org_id = ?", org.id());
    }

    private static String json(RawHttp.Reply reply) {
        assertThat(reply.header("content-type")).startsWith("application/json");
        return reply.body();
    }

    @Test
    void oversizedBodiesAre413AndStoreNothing() {
        long before = tokensOfOrg();
        String huge = "{\"name\":\"" + "x".repeat(2 * 1024 * 1024) + "\",\"kind\":\"repo\",\"scopes\":{\"repos:a\":[\"git:read\"]}}";
        RawHttp.Reply reply = RawHttp.send("127.0.0.1", root.getPort(),
                "POST /v1/tokens HTTP/1.1\r\nContent-Type: application/json\r\nx-api-key: " + org.adminKey(),
                huge.getBytes(StandardCharsets.UTF_8));
        assertThat(reply.status()).isEqualTo(413);
        assertThat(json(reply)).contains("\"error\":\"payload_too_large\"").contains("\"message\"");
        // A big JWK body on the keys endpoint, and a big rotate body, the same.
        RawHttp.Reply key = RawHttp.send("127.0.0.1", root.getPort(),
                "POST /v1/orgs/" + org.id() + "/keys HTTP/1.1\r\nContent-Type: application/json\r\nx-api-key: " + org.adminKey(),
                ("{\"kty\":\"EC\",\"x\":\"" + "A".repeat(1_100_000) + "\"}").getBytes(StandardCharsets.UTF_8));
        assertThat(key.status()).isEqualTo(413);
        assertThat(tokensOfOrg()).isEqualTo(before);
        assertThat(orgs.count("select count(*) from customer_public_keys where org_id = ?", org.id())).isZero();
    }

    @Test
    void malformedBodiesAre400WithJson() {
        long before = tokensOfOrg();
        for (String body : List.of("{", "[]", "null", "{\"name\": \"a\", \"kind\": \"repo\", \"scopes\": [1,2]}", "\u0000\u0001\u0002",
                "{\"name\":\"a\",\"kind\":\"repo\",\"scopes\":{\"repos:a\":[\"git:read\"]}} trailing", "{\"name\":\"\uD83D\"}")) {
            given().header("x-api-key", org.adminKey()).contentType(ContentType.JSON).body(body.getBytes(StandardCharsets.UTF_8))
                    .post("/v1/tokens").then().statusCode(oneOf(400, 422))
                    .contentType(ContentType.JSON).body("error", notNullValue()).body("message", notNullValue());
        }
        given().header("x-api-key", org.adminKey()).contentType(ContentType.JSON).body("{\"kty\":")
                .post("/v1/orgs/" + org.id() + "/keys").then().statusCode(400).body("error", equalTo("malformed_json"));
        given().header("x-api-key", org.adminKey()).contentType(ContentType.JSON).body("{\"grace_seconds\": \"soon\"}")
                .post("/v1/tokens/self/rotate").then().statusCode(400).body("error", equalTo("malformed_json"));
        // Not JSON at all.
        given().header("x-api-key", org.adminKey()).contentType("text/plain").body("name=a")
                .post("/v1/tokens").then().statusCode(415).body("error", equalTo("unsupported_media_type"));
        assertThat(tokensOfOrg()).isEqualTo(before);
    }

    @Test
    void junkInAFieldIsRefusedNotStored() {
        long before = tokensOfOrg();
        Map<String, Object> body = Map.of("name", "ok", "kind", "repo", "scopes", Map.of("repos:\u202Eevil\u0000", List.of("git:read")));
        TestOrgs.create(org.adminKey(), body).then().statusCode(422).body("error", notNullValue());
        TestOrgs.create(org.adminKey(), Map.of("name", "ok", "kind", "repo", "scopes", Map.of("repos:a", List.of("git:read")),
                "allowed_cidrs", List.of("10.0.0.0/8\r\nX-Injected: 1"))).then().statusCode(422);
        TestOrgs.create(org.adminKey(), Map.of("name", "ok", "kind", "repo", "scopes", Map.of("repos:a", List.of("git:read")),
                "expires_in", "9".repeat(40))).then().statusCode(oneOf(400, 422)).body("error", notNullValue());
        assertThat(tokensOfOrg()).isEqualTo(before);
    }

    /** Two parsers must not read one body differently, and a NUL must not reach PostgreSQL. */
    @Test
    void duplicateKeysWrongTypesAndNulParametersAre400NamingTheField() {
        long before = tokensOfOrg();
        given().header("x-api-key", org.adminKey()).contentType(ContentType.JSON)
                .body("{\"name\":\"a\",\"kind\":\"org\",\"kind\":\"repo\",\"scopes\":{\"repos:a\":[\"git:read\"]}}")
                .post("/v1/tokens").then().statusCode(400).contentType(ContentType.JSON)
                .body("error", equalTo("malformed_json")).body("message", containsString("'kind'"));
        given().header("x-api-key", org.adminKey()).contentType(ContentType.JSON)
                .body("{\"name\":\"a\",\"kind\":\"repo\",\"scopes\":{\"repos:a\":[\"git:read\"]},\"expires_in\":\"0\"}")
                .post("/v1/tokens").then().statusCode(400).body("message", containsString("'expires_in'"));
        given().header("x-api-key", org.adminKey()).contentType(ContentType.JSON)
                .body("{\"name\":\"a\",\"kind\":\"repo\",\"scopes\":{\"repos:a\":[\"git:read\"]},\"expire_in\":3600}")
                .post("/v1/tokens").then().statusCode(422).body("error", equalTo("unknown_field"))
                .body("message", containsString("'expire_in'"));
        // A key as a field name is never repeated back.
        given().header("x-api-key", org.adminKey()).contentType(ContentType.JSON)
                .body("{\"name\":\"a\",\"scopes\":{\"repos:a\":[\"git:read\"]},\"" + org.adminKey() + "\":1}")
                .post("/v1/tokens").then().statusCode(422).body("message", not(containsString(org.adminKey())));
        assertThat(tokensOfOrg()).isEqualTo(before);

        given().header("x-api-key", org.adminKey()).queryParam("page_size", "abc").get("/v1/tokens").then().statusCode(400)
                .contentType(ContentType.JSON).body("message", containsString("page_size"));
        given().header("x-api-key", org.adminKey()).urlEncodingEnabled(false).get("/v1/tokens?page_token=%00")
                .then().statusCode(400).contentType(ContentType.JSON).body("message", containsString("page_token"));
        given().header("x-api-key", org.adminKey()).urlEncodingEnabled(false).get("/v1/tokens/tok_%00")
                .then().statusCode(400).contentType(ContentType.JSON).body("message", containsString("id"));
        given().header("x-api-key", org.adminKey()).urlEncodingEnabled(false).delete("/v1/tokens/tok_%00")
                .then().statusCode(400).contentType(ContentType.JSON).body("message", containsString("id"));
    }

    @Test
    void badAuthorizationHeadersAre401Malformed() {
        String basicNoColon = "Basic " + Base64.getEncoder().encodeToString("no-colon".getBytes(StandardCharsets.UTF_8));
        String basicEmptyPassword = "Basic " + Base64.getEncoder().encodeToString("user:".getBytes(StandardCharsets.UTF_8));
        for (String header : List.of("Bearer", "Bearer    ", "Token " + org.adminKey(), "Basic !!!not-base64", basicNoColon,
                basicEmptyPassword, "Bearer " + org.adminKey() + " extra", "Bearer " + "a".repeat(9000), "Bearer a.b.c",
                "Bearer kw_prod_o_" + "Z".repeat(40) + "_AAAAAA", "Bearer \u00e9\u00e8kw_prod")) {
            given().header("Authorization", header).get("/v1/tokens").then().statusCode(401)
                    .header("WWW-Authenticate", notNullValue())
                    .body("error", oneOf("malformed", "bad_checksum", "invalid_claims", "bad_signature", "unknown_kid"))
                    .body("message", notNullValue());
        }
        // Two different tokens at once are ambiguous, never "the better one".
        given().header("Authorization", "Bearer " + org.adminKey()).header("x-api-key", "kw_prod_o_other")
                .get("/v1/tokens").then().statusCode(401).body("error", equalTo("malformed"));
    }

    @Test
    void rawNonAsciiHeaderBytesAreRefusedCleanly() {
        RawHttp.Reply reply = RawHttp.send("127.0.0.1", root.getPort(),
                "GET /v1/tokens HTTP/1.1\r\nAuthorization: Bearer \u00ff\u00fe\u00e9kw_prod_o_\u0080\u0081", new byte[0]);
        assertThat(reply.status()).isEqualTo(401);
        assertThat(json(reply)).contains("\"error\":\"malformed\"");
    }

    @Test
    void hugeHeadersAreRefusedBeforeAnyCode() {
        RawHttp.Reply reply = RawHttp.get("127.0.0.1", root.getPort(), "/v1/tokens",
                "x-api-key: " + org.adminKey(), "X-Padding: " + "p".repeat(64 * 1024));
        assertThat(reply.status()).isEqualTo(431);
        RawHttp.Reply longUrl = RawHttp.get("127.0.0.1", root.getPort(), "/v1/tokens/" + "t".repeat(16 * 1024), "x-api-key: " + org.adminKey());
        assertThat(longUrl.status()).isBetween(400, 499);
    }
}
