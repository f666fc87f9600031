package dev.keyward.token.web;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

import dev.keyward.testsupport.KafkaTestResource;
import dev.keyward.testsupport.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/**
 * token-service without an identity provider (no {@code KEYWARD_OIDC_URL}, the tests' default): {@code /ui}
 * is a page that says how to enable sign-in, not an empty 401, and nothing else opens up.
 */
@QuarkusTest
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "keyward_token"))
@QuarkusTestResource(KafkaTestResource.class)
class UiWithoutSignInTests {

    @Test
    void theTokenPageSaysHowToEnableSignIn() {
        given().redirects().follow(false)
                .get("/ui")
                .then().statusCode(200)
                .contentType(startsWith("text/html"))
                .header("Cache-Control", "no-store")
                .body(containsString("Sign-in is not configured"),
                        containsString("KEYWARD_OIDC_URL"),
                        containsString("KEYWARD_OIDC_WEB_CLIENT_SECRET"),
                        containsString("./keyward up --with-keycloak"),
                        containsString("docs/operations.md"),
                        // Nothing of a signed-in page: no form, no token data.
                        not(containsString("<form")), not(containsString("csrf")));
    }

    @Test
    void thePagesActionsAndTheApiStillRefuseAnonymousCallers() {
        given().contentType("application/x-www-form-urlencoded").formParam("name", "x").formParam("csrf", "x")
                .post("/ui/tokens")
                .then().statusCode(401).body("error", equalTo("unauthorized"));
        given().contentType("application/x-www-form-urlencoded").formParam("csrf", "x")
                .post("/ui/tokens/tok_anything/revoke")
                .then().statusCode(401).body("error", equalTo("unauthorized"));
        given().get("/v1/tokens").then().statusCode(401).body("error", equalTo("missing"));
    }
}
