package dev.keyward.token;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;

import dev.keyward.testsupport.KafkaTestResource;
import dev.keyward.testsupport.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Each limit and syntax rule of a token request, as a 4xx with {error, message}. */
@QuarkusTest
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "keyward_token"))
@QuarkusTestResource(KafkaTestResource.class)
class TokenRequestValidationTests {

    static final Map<String, List<String>> SCOPES = Map.of("repos:app", List.of("git:read"));

    @Inject
    TestOrgs orgs;

    TestOrgs.Org org;

    @BeforeEach
    void newOrg() {
        org = orgs.create();
    }

    private Map<String, Object> body(Object... pairs) {
        Map<String, Object> body = new HashMap<>(Map.of("name", "t", "kind", "repo", "scopes", SCOPES));
        for (int i = 0; i < pairs.length; i += 2) {
            if (pairs[i + 1] == null) {
                body.remove((String) pairs[i]);
            } else {
                body.put((String) pairs[i], pairs[i + 1]);
            }
        }
        return body;
    }

    private void refused(Map<String, Object> body, int status, String messagePart) {
        TestOrgs.create(org.adminKey(), body).then().statusCode(status)
                .body("error", notNullValue())
                .body("message", containsString(messagePart));
    }

    @Test
    void nameMustHaveOneToHundredCharacters() {
        refused(body("name", ""), 422, "name");
        refused(body("name", null), 422, "name");
        refused(body("name", "x".repeat(101)), 422, "at most 100");
        TestOrgs.create(org.adminKey(), body("name", "x".repeat(100))).then().statusCode(201);
    }

    @Test
    void kindAndEnvironmentMustBeKnown() {
        refused(body("kind", "admin"), 422, "kind");
        refused(body("environment", "staging"), 422, "environment");
        TestOrgs.create(org.adminKey(), body("environment", "dev")).then().statusCode(201)
                .body("token", startsWith("kw_dev_r_"));
    }

    @Test
    void scopesFollowTheGrammarAndTheKind() {
        refused(body("scopes", Map.of("repos:../etc", List.of("git:read"))), 422, "..");
        refused(body("scopes", Map.of("repos:app", List.of("git:admin"))), 422, "unknown permission");
        refused(body("scopes", Map.of()), 422, "at least one");
        refused(body("scopes", Map.of("org", List.of("org:read"))), 422, "repo tokens");
    }

    private ValidatableResponse createRaw(String json) {
        return given().header("x-api-key", org.adminKey()).contentType(ContentType.JSON).body(json)
                .post("/v1/tokens").then();
    }

    /** Seed 003's own request: no kind, the scopes say which. */
    @Test
    void aRequestWithoutAKindGetsTheKindItsScopesFit() {
        createRaw("{\"name\": \"agent-read\", \"scopes\": {\"repos:my-app\": [\"read\"]}, \"expires_in\": 3600}")
                .statusCode(201).body("kind", equalTo("repo")).body("token", containsString("_r_"))
                .body("scopes", equalTo(Map.of("repos:my-app", List.of("git:read"))));
        createRaw("{\"name\": \"agent-write\", \"scopes\": {\"repos:team/*\": [\"git:read\", \"write\"]}}")
                .statusCode(201).body("kind", equalTo("repo"));
        createRaw("{\"name\": \"agent-org\", \"scopes\": {\"org\": [\"org:read\"]}, \"expires_in\": 3600}")
                .statusCode(201).body("kind", equalTo("org")).body("token", containsString("_o_"));
        // Anything beyond git on repositories is an org token's.
        createRaw("{\"name\": \"maker\", \"scopes\": {\"repos:app\": [\"git:read\", \"repo:write\"]}}")
                .statusCode(201).body("kind", equalTo("org"));
        createRaw("{\"name\": \"mixed\", \"scopes\": {\"repos:app\": [\"read\"], \"org\": [\"org:read\"]}}")
                .statusCode(201).body("kind", equalTo("org"));
        // A kind named is still the kind: scopes that do not fit it are refused, not re-kinded.
        refused(body("kind", "repo", "scopes", Map.of("org", List.of("org:read"))), 422, "repo tokens");
        refused(body("kind", null, "scopes", Map.of()), 422, "at least one");
    }

    /** Seed 002's request shape, accepted as an alias. */
    @Test
    void theGithostedShapeIsAnAlias() {
        Instant before = Instant.now();
        ExtractableResponse<?> workspace = createRaw("{\"name\":\"ci\",\"kind\":\"workspace\",\"permission\":\"read\","
                + "\"repoAllowlist\":[\"app\",\"lib\"],\"ttlHours\":24}")
                .statusCode(201).body("kind", equalTo("org")).body("name", equalTo("ci"))
                .body("scopes", equalTo(Map.of("repos:app", List.of("git:read"), "repos:lib", List.of("git:read"))))
                .extract();
        assertThat(Instant.parse(workspace.path("expires_at")))
                .isBetween(before.plus(Duration.ofHours(24)).minusSeconds(5), Instant.now().plus(Duration.ofHours(24)).plusSeconds(5));

        createRaw("{\"name\":\"ci\",\"kind\":\"repo\",\"permission\":\"write\",\"ttlHours\":1}")
                .statusCode(201).body("kind", equalTo("repo"))
                .body("scopes", equalTo(Map.of("repos:*", List.of("git:read", "git:write"))));
        createRaw("{\"name\":\"ci\",\"permission\":\"read\",\"repoAllowlist\":[]}")
                .statusCode(201).body("kind", equalTo("repo")).body("scopes", equalTo(Map.of("repos:*", List.of("git:read"))));

        // ttlHours 0 is "never", which this org's policy does not allow (as expires_in 0).
        createRaw("{\"name\":\"ci\",\"kind\":\"repo\",\"permission\":\"read\",\"ttlHours\":0}")
                .statusCode(422).body("message", containsString("not allowed"));
        createRaw("{\"name\":\"ci\",\"kind\":\"repo\",\"permission\":\"admin\"}")
                .statusCode(422).body("message", containsString("permission"));
        createRaw("{\"name\":\"ci\",\"repoAllowlist\":[\"app\"]}")
                .statusCode(422).body("message", containsString("permission"));
    }

    @Test
    void mixingTheTwoShapesIsRefusedNamingTheFields() {
        long before = orgs.count("select count(*) from tokens where org_id = ?", org.id());
        createRaw("{\"name\":\"ci\",\"scopes\":{\"repos:app\":[\"read\"]},\"permission\":\"write\"}")
                .statusCode(422).body("error", equalTo("invalid_request"))
                .body("message", allOf(containsString("scopes"), containsString("permission")));
        createRaw("{\"name\":\"ci\",\"scopes\":{\"repos:app\":[\"read\"]},\"repoAllowlist\":[\"lib\"]}")
                .statusCode(422).body("message", allOf(containsString("scopes"), containsString("repoAllowlist")));
        createRaw("{\"name\":\"ci\",\"permission\":\"read\",\"expires_in\":3600,\"ttlHours\":24}")
                .statusCode(422).body("message", allOf(containsString("expires_in"), containsString("ttlHours")));
        assertThat(orgs.count("select count(*) from tokens where org_id = ?", org.id())).isEqualTo(before);
    }

    /** A typo must never yield a default: {@code expire_in} is not a 90-day token. */
    @Test
    void unknownFieldsAre422NamingTheField() {
        long before = orgs.count("select count(*) from tokens where org_id = ?", org.id());
        createRaw("{\"name\":\"ci\",\"kind\":\"repo\",\"scopes\":{\"repos:app\":[\"read\"]},\"expire_in\":3600}")
                .statusCode(422).body("error", equalTo("unknown_field")).body("message", containsString("'expire_in'"));
        createRaw("{\"name\":\"ci\",\"scopes\":{\"repos:app\":[\"read\"]},\"ttl_hours\":24}")
                .statusCode(422).body("error", equalTo("unknown_field")).body("message", containsString("'ttl_hours'"));
        given().header("x-api-key", org.adminKey()).contentType(ContentType.JSON).body("{\"grace_second\": 60}")
                .post("/v1/tokens/self/rotate").then().statusCode(422)
                .body("error", equalTo("unknown_field")).body("message", containsString("'grace_second'"));
        assertThat(orgs.count("select count(*) from tokens where org_id = ?", org.id())).isEqualTo(before);
    }

    @Test
    void wrongJsonTypesAre400NamingTheFieldWithoutCoercion() {
        long before = orgs.count("select count(*) from tokens where org_id = ?", org.id());
        for (String[] bad : new String[][] {
                {"\"expires_in\": \"3600\"", "'expires_in' must be a whole number"},
                {"\"expires_in\": 3600.5", "'expires_in' must be a whole number"},
                {"\"expires_in\": true", "'expires_in' must be a whole number"},
                {"\"environment\": true", "'environment' must be a string"},
                {"\"environment\": 1", "'environment' must be a string"},
                {"\"allowed_cidrs\": \"10.0.0.0/8\"", "'allowed_cidrs' must be an array"},
                {"\"allowed_cidrs\": [10]", "'allowed_cidrs[0]' must be a string"},
                {"\"ttlHours\": \"24\"", "'ttlHours' must be a whole number"}}) {
            createRaw("{\"name\":\"ci\",\"kind\":\"repo\",\"scopes\":{\"repos:app\":[\"read\"]}," + bad[0] + "}")
                    .statusCode(400).body("error", equalTo("malformed_json")).body("message", containsString(bad[1]));
        }
        createRaw("{\"name\":true,\"kind\":\"repo\",\"scopes\":{\"repos:app\":[\"read\"]}}")
                .statusCode(400).body("message", containsString("'name' must be a string"));
        createRaw("{\"name\":\"ci\",\"kind\":\"repo\",\"scopes\":{\"repos:app\":[true]}}")
                .statusCode(400).body("message", containsString("'scopes.repos:app[0]' must be a string"));
        given().header("x-api-key", org.adminKey()).contentType(ContentType.JSON).body("{\"grace_seconds\": \"60\"}")
                .post("/v1/tokens/self/rotate").then().statusCode(400).body("message", containsString("'grace_seconds'"));
        assertThat(orgs.count("select count(*) from tokens where org_id = ?", org.id())).isEqualTo(before);
    }

    @Test
    void duplicateKeysAre400NamingTheKey() {
        long before = orgs.count("select count(*) from tokens where org_id = ?", org.id());
        createRaw("{\"name\":\"a\",\"name\":\"b\",\"kind\":\"repo\",\"scopes\":{\"repos:app\":[\"read\"]}}")
                .statusCode(400).body("error", equalTo("malformed_json")).body("message", containsString("'name'"));
        createRaw("{\"name\":\"a\",\"kind\":\"repo\",\"scopes\":{\"repos:app\":[\"read\"],\"repos:app\":[\"write\"]}}")
                .statusCode(400).body("message", containsString("'scopes.repos:app'"));
        given().header("x-api-key", org.adminKey()).contentType(ContentType.JSON)
                .body("{\"grace_seconds\": 1, \"grace_seconds\": 600}")
                .post("/v1/tokens/self/rotate").then().statusCode(400).body("message", containsString("'grace_seconds'"));
        assertThat(orgs.count("select count(*) from tokens where org_id = ?", org.id())).isEqualTo(before);
    }

    @Test
    void expiresInStaysWithinThePolicy() {
        refused(body("expires_in", 3599), 422, "between 3600 and 31536000");
        refused(body("expires_in", 31_536_001), 422, "between 3600 and 31536000");
        refused(body("expires_in", 0), 422, "not allowed");
        TestOrgs.create(org.adminKey(), body("expires_in", 3600)).then().statusCode(201);
        TestOrgs.create(org.adminKey(), body("expires_in", 31_536_000)).then().statusCode(201);

        TestOrgs.policy(org, Map.of("allow_never_expiring", true));
        TestOrgs.create(org.adminKey(), body("expires_in", 0)).then().statusCode(201).body("expires_at", nullValue());
    }

    @Test
    void allowedCidrsMustBeIpv4OrIpv6Blocks() {
        refused(body("allowed_cidrs", List.of("10.0.0.0/33")), 422, "10.0.0.0/33");
        refused(body("allowed_cidrs", List.of("300.1.1.1/8")), 422, "300.1.1.1/8");
        refused(body("allowed_cidrs", List.of("example.com/24")), 422, "example.com");
        refused(body("allowed_cidrs", List.of("2001:db8::/129")), 422, "2001:db8::/129");
        refused(body("allowed_cidrs", List.of("2001:db8:::1/64")), 422, "2001:db8:::1/64");
        String id = TestOrgs.create(org.adminKey(), body("allowed_cidrs", List.of("10.0.0.0/8", "2001:db8::/32", "192.168.1.7")))
                .then().statusCode(201).extract().jsonPath().getString("id");
        List<String> stored = given().header("x-api-key", org.adminKey()).get("/v1/tokens/" + id)
                .then().statusCode(200).extract().jsonPath().getList("allowed_cidrs");
        assertThat(stored).containsExactly("10.0.0.0/8", "2001:db8:0:0:0:0:0:0/32", "192.168.1.7/32");
    }

    @Test
    void orgDefaultCidrsApplyWhenTheRequestNamesNone() {
        TestOrgs.policy(org, Map.of("default_allowed_cidrs", List.of("10.1.0.0/16")));
        TestOrgs.create(org.adminKey(), body()).then().statusCode(201).body("allowed_cidrs", equalTo(List.of("10.1.0.0/16")));
    }

    @Test
    void malformedJsonIsABadRequest() {
        given().header("x-api-key", org.adminKey()).contentType(ContentType.JSON).body("{\"name\": ")
                .post("/v1/tokens").then().statusCode(400)
                .body("error", equalTo("malformed_json")).body("message", notNullValue());
        given().header("x-api-key", org.adminKey()).contentType(ContentType.JSON)
                .body("{\"name\":\"a\",\"kind\":\"repo\",\"scopes\":\"repos:*\"}")
                .post("/v1/tokens").then().statusCode(400).body("error", equalTo("malformed_json"));
        given().header("x-api-key", org.adminKey()).contentType(ContentType.JSON).body("")
                .post("/v1/tokens").then().statusCode(400).body("error", notNullValue());
    }

    @Test
    void listingParametersAreChecked() {
        given().header("x-api-key", org.adminKey()).queryParam("page_size", 0).get("/v1/tokens").then().statusCode(400)
                .body("error", equalTo("bad_request"));
        given().header("x-api-key", org.adminKey()).queryParam("page_size", 201).get("/v1/tokens").then().statusCode(400);
        given().header("x-api-key", org.adminKey()).queryParam("page_token", "not-ours").get("/v1/tokens").then().statusCode(400)
                .body("message", containsString("page_token"));
        given().header("x-api-key", org.adminKey()).queryParam("state", "revoked").get("/v1/tokens").then().statusCode(400);
        given().header("x-api-key", org.adminKey()).queryParam("page_size", "abc").get("/v1/tokens").then().statusCode(400)
                .body("error", equalTo("bad_request")).body("message", containsString("page_size"));
    }

    @Test
    void unknownPathsAnswerInTheSameShape() {
        given().get("/v1/nothing-here").then().statusCode(404).body("error", equalTo("not_found"));
    }
}
