package dev.keyward.repo;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.keyward.testsupport.KafkaTestResource;
import dev.keyward.testsupport.PostgresTestResource;
import dev.keyward.testsupport.PublicApiDocument;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/** The OpenAPI document is the public API, each operation under its tag. */
@QuarkusTest
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "keyward_repo"))
@QuarkusTestResource(KafkaTestResource.class)
class OpenApiTests {

    @Test
    void theOpenApiDocumentHoldsThePublicApiOnly() {
        String document = given().get("/q/openapi?format=json").then().statusCode(200).extract().asString();

        assertThat(PublicApiDocument.problems(document)).isEmpty();
        assertThat(document).contains("\"Repositories\"", "\"Repository content\"");
    }
}
