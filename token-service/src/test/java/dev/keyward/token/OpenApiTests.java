package dev.keyward.token;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keyward.testsupport.KafkaTestResource;
import dev.keyward.testsupport.PostgresTestResource;
import dev.keyward.testsupport.PublicApiDocument;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The OpenAPI document is the public API, each operation under its tag, the main requests with a working example. */
@QuarkusTest
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "keyward_token"))
@QuarkusTestResource(KafkaTestResource.class)
class OpenApiTests {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    TestOrgs orgs;

    private static JsonNode document() throws Exception {
        return JSON.readTree(given().get("/q/openapi?format=json").then().statusCode(200).extract().asString());
    }

    @Test
    void theDocumentHoldsThePublicApiOnly() throws Exception {
        JsonNode document = document();

        assertThat(PublicApiDocument.problems(document.toString())).isEmpty();
        assertThat(document.path("paths").has("/v1/tokens")).isTrue();
        assertThat(document.path("paths").has("/v1/orgs/{org}/trust-policies")).isTrue();
        List<String> tags = new ArrayList<>();
        document.path("tags").forEach(t -> tags.add(t.path("name").asText()));
        assertThat(tags).contains("Tokens", "Trust policies", "Token exchange", "Orgs");
    }

    @Test
    void theCheckRefusesInternalPathsTypesAndUntaggedOperations() {
        String leaky = """
                {"paths": {"/internal/introspect": {"post": {"tags": ["Internal"], "responses": {}}},
                           "/v1/x": {"get": {"tags": ["X Resource"], "responses": {}}}},
                 "components": {"schemas": {"AtomicLong": {}, "TemplateInstance": {}, "TokenView": {}}}}""";

        assertThat(PublicApiDocument.problems(leaky)).hasSize(4)
                .anyMatch(p -> p.contains("/internal/introspect")).anyMatch(p -> p.contains("AtomicLong"))
                .anyMatch(p -> p.contains("TemplateInstance")).anyMatch(p -> p.contains("GET /v1/x"));
    }

    @Test
    void theTokenCreateExampleCreatesAToken() throws Exception {
        JsonNode schema = schemaOfBody(document(), "/v1/tokens", "post");
        JsonNode example = schema.path("examples").path(0);
        assertThat(example.isObject()).as("an example of " + schema).isTrue();

        given().header("x-api-key", orgs.create().adminKey()).contentType(ContentType.JSON).body(example.toString())
                .post("/v1/tokens").then().statusCode(201);
    }

    @Test
    void theTrustPolicyAndExchangeExamplesUseTheirSchemasFields() throws Exception {
        JsonNode document = document();
        for (String[] operation : new String[][] {{"/v1/orgs/{org}/trust-policies", "post"}, {"/v1/token-exchange", "post"}}) {
            JsonNode schema = schemaOfBody(document, operation[0], operation[1]);
            JsonNode example = schema.path("examples").path(0);
            assertThat(example.isObject()).as(operation[0]).isTrue();
            example.fieldNames().forEachRemaining(field ->
                    assertThat(schema.path("properties").has(field)).as(operation[0] + " " + field).isTrue());
            schema.path("required").forEach(required ->
                    assertThat(example.has(required.asText())).as(operation[0] + " " + required).isTrue());
        }
    }

    /** The schema of an operation's request body, through its $ref. */
    private static JsonNode schemaOfBody(JsonNode document, String path, String method) {
        JsonNode content = document.path("paths").path(path).path(method).path("requestBody").path("content");
        JsonNode schema = content.elements().next().path("schema");
        String ref = schema.path("$ref").asText();
        return ref.isEmpty() ? schema : document.at(ref.substring(1));
    }
}
