package dev.keyward.token;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.keyward.testsupport.KafkaTestResource;
import dev.keyward.testsupport.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * No key ever reaches the log. The test profile writes the whole log (DEBUG for dev.keyward) to
 * target/token-service-test.log, from startup on, so the bootstrap key is covered too.
 */
@QuarkusTest
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "keyward_token"))
@QuarkusTestResource(KafkaTestResource.class)
class LogSecrecyTests {

    static final Path LOG = Path.of("target/token-service-test.log");

    @Inject
    TestOrgs orgs;

    @Test
    void keysNeverAppearInTheLog() throws Exception {
        List<String> keys = new ArrayList<>();
        keys.add(Files.readString(BootstrapTests.TOKEN_FILE).strip());
        TestOrgs.Org org = orgs.create();
        keys.add(org.adminKey());
        Map<String, Object> token = TestOrgs.issue(org.adminKey(), "secret keeper", "org", Map.of("org", List.of("org:read")));
        keys.add((String) token.get("token"));
        keys.add(given().header("x-api-key", org.adminKey()).post("/v1/tokens/" + token.get("id") + "/rotate")
                .then().statusCode(200).extract().jsonPath().getString("token"));
        // Failures that carry a key in the request must not echo it either.
        given().header("x-api-key", (String) token.get("token")).get("/v1/tokens").then().statusCode(401);
        given().header("X-Keyward-Internal", TestOrgs.INTERNAL_SECRET).contentType(ContentType.JSON)
                .body("{\"token\": \"" + keys.get(2) + "\", ").post("/internal/introspect").then().statusCode(400);
        TestOrgs.create(keys.get(3), Map.of("name", keys.get(3).substring(0, 20), "kind", "org",
                "scopes", Map.of("org", List.of("token:write")))).then().statusCode(403);

        assertThat(LOG).exists();
        String log = Files.readString(LOG);
        assertThat(log).contains("bootstrap"); // the file really is the service's log
        for (String key : keys) {
            assertThat(log).doesNotContain(key);
        }
    }
}
