package dev.keyward.token.oidc;

import dev.keyward.testsupport.KeycloakTestResource;
import static io.restassured.RestAssured.given;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Base64;

/** Access tokens from the test realm: people through the password grant, the CI robot through client credentials. */
final class Realm {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Realm() {
    }

    /** An access token of {@code user} (password = user name) through the public CLI client. */
    static String passwordToken(String user) {
        return given().formParam("grant_type", "password").formParam("client_id", "keyward-cli")
                .formParam("username", user).formParam("password", user).formParam("scope", "openid profile")
                .post(KeycloakTestResource.keycloak().tokenEndpoint())
                .then().statusCode(200).extract().path("access_token");
    }

    /** An access token of the {@code keyward-ci} service account (org demo, org-admin). */
    static String ciToken() {
        return given().formParam("grant_type", "client_credentials").formParam("client_id", "keyward-ci")
                .formParam("client_secret", "keyward-ci-secret")
                .post(KeycloakTestResource.keycloak().tokenEndpoint())
                .then().statusCode(200).extract().path("access_token");
    }

    /** A claim of a JWT, read without verification (the tests compare what the service recorded). */
    static String claim(String jwt, String name) {
        try {
            JsonNode claims = JSON.readTree(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]));
            return claims.path(name).asText(null);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
