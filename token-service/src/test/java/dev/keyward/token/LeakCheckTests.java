package dev.keyward.token;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.keyward.contract.ApiKeyFormat;
import dev.keyward.testsupport.KafkaTestResource;
import dev.keyward.testsupport.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** {@code POST /v1/leaks/check} ({@code keyward scan --check}): which keys are live, with no side effect. */
@QuarkusTest
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "keyward_token"))
@QuarkusTestResource(KafkaTestResource.class)
class LeakCheckTests {

    static final Map<String, List<String>> SCOPES = Map.of("repos:app", List.of("git:read"));

    @Inject
    TestOrgs orgs;

    @Test
    void saysWhichKeysAreLiveAndChangesNothing() throws Exception {
        TestOrgs.Org org = orgs.create();
        String live = (String) TestOrgs.issue(org.adminKey(), "live", "repo", SCOPES).get("token");
        Map<String, Object> gone = TestOrgs.issue(org.adminKey(), "gone", "repo", SCOPES);
        given().header("x-api-key", org.adminKey()).delete("/v1/tokens/" + gone.get("id")).then().statusCode(200);
        String lookAlike = live.substring(0, live.length() - 1) + (live.endsWith("a") ? "b" : "a");

        JsonPath answer = given().header("x-api-key", org.adminKey()).contentType(ContentType.JSON)
                .body(Map.of("tokens", List.of(live, gone.get("token"), lookAlike, "not-a-key-at-all")))
                .post("/v1/leaks/check").then().statusCode(200).extract().jsonPath();
        assertThat(answer.getList("results.live", Boolean.class)).containsExactly(true, false, false, false);
        assertThat(answer.getString("results[0].key_prefix")).isEqualTo(ApiKeyFormat.prefixOf(live));
        assertThat(answer.getString("results[0].token_hash")).isEqualTo(HexFormat.of().formatHex(
                MessageDigest.getInstance("SHA-256").digest(live.getBytes(StandardCharsets.UTF_8))));
        assertThat(answer.getString("results[3].key_prefix")).isNull();
        assertThat(answer.prettify()).doesNotContain(live).doesNotContain("not-a-key-at-all");

        // Nothing changed: the live key is still live.
        given().header("X-Keyward-Internal", TestOrgs.INTERNAL_SECRET).contentType(ContentType.JSON)
                .body(Map.of("token", live)).post("/internal/introspect").then().statusCode(200)
                .body("active", equalTo(true));
    }

    @Test
    void needsACallerAndAStrictBody() {
        TestOrgs.Org org = orgs.create();
        given().contentType(ContentType.JSON).body(Map.of("tokens", List.of())).post("/v1/leaks/check").then().statusCode(401);
        given().header("x-api-key", org.adminKey()).contentType(ContentType.JSON).body(Map.of("tokenz", List.of()))
                .post("/v1/leaks/check").then().statusCode(422).body("message", containsString("tokenz"));
        given().header("x-api-key", org.adminKey()).contentType(ContentType.JSON).body(Map.of("tokens", "kw_x"))
                .post("/v1/leaks/check").then().statusCode(400).body("message", containsString("tokens"));
        given().header("x-api-key", org.adminKey()).contentType(ContentType.JSON)
                .body(Map.of("tokens", IntStream.range(0, 101).mapToObj(i -> "t" + i).toList()))
                .post("/v1/leaks/check").then().statusCode(422).body("message", containsString("100"));
    }
}
