package dev.keyward.token;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
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
import jakarta.inject.Inject;
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
        refused(body("kind", null), 422, "kind");
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
    }

    @Test
    void unknownPathsAnswerInTheSameShape() {
        given().get("/v1/nothing-here").then().statusCode(404).body("error", equalTo("not_found"));
    }
}
