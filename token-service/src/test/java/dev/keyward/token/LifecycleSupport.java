package dev.keyward.token;

import static io.restassured.RestAssured.given;

import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.util.Map;

/** Introspection as the verifiers call it, for tests that need to know whether a key works. */
final class LifecycleSupport {

    private LifecycleSupport() {
    }

    static JsonPath introspect(String key) {
        return given().header("X-Keyward-Internal", TestOrgs.INTERNAL_SECRET).contentType(ContentType.JSON)
                .body(Map.of("token", key)).post("/internal/introspect")
                .then().statusCode(200).extract().jsonPath();
    }
}
