package dev.keyward.localstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The realm shipped for local use and tests gives the claims the services rely on. */
class EmbeddedKeycloakTest {

    static EmbeddedKeycloak keycloak;
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        keycloak = EmbeddedKeycloak.start();
    }

    @AfterAll
    static void stop() {
        keycloak.close();
    }

    @Test
    void aPersonGetsOrgRolesAndTheApiAudience() throws Exception {
        JsonNode claims = accessTokenClaims(Map.of("grant_type", "password", "client_id", "keyward-cli",
                "username", "alice", "password", "alice"));

        assertThat(claims.path("iss").asText()).isEqualTo(keycloak.realmUrl());
        assertThat(claims.path("org").asText()).isEqualTo("demo");
        assertThat(claims.path("preferred_username").asText()).isEqualTo("alice");
        assertThat(claims.path("realm_access").path("roles").toString()).contains("org-admin");
        assertThat(claims.path("aud").toString()).contains("keyward-api");
        assertThat(claims.path("sub").asText()).isNotBlank();
    }

    @Test
    void membersAndOtherOrgsAreTold() throws Exception {
        JsonNode bob = accessTokenClaims(Map.of("grant_type", "password", "client_id", "keyward-cli",
                "username", "bob", "password", "bob"));
        JsonNode mallory = accessTokenClaims(Map.of("grant_type", "password", "client_id", "keyward-cli",
                "username", "mallory", "password", "mallory"));

        assertThat(bob.path("realm_access").path("roles").toString()).contains("org-member").doesNotContain("org-admin");
        assertThat(mallory.path("org").asText()).isEqualTo("other");
    }

    @Test
    void aCiRobotUsesClientCredentials() throws Exception {
        JsonNode claims = accessTokenClaims(Map.of("grant_type", "client_credentials", "client_id", "keyward-ci",
                "client_secret", "keyward-ci-secret"));

        assertThat(claims.path("org").asText()).isEqualTo("demo");
        assertThat(claims.path("realm_access").path("roles").toString()).contains("org-admin");
    }

    @Test
    void aWrongPasswordIsRefused() throws Exception {
        HttpResponse<String> response = post(Map.of("grant_type", "password", "client_id", "keyward-cli",
                "username", "alice", "password", "wrong"));
        assertThat(response.statusCode()).isBetween(400, 401);
        assertThat(JSON.readTree(response.body()).path("error").asText()).isEqualTo("invalid_grant");
    }

    /** A refresh token is good for one refresh: a stolen copy used after the owner refreshed is dead. */
    @Test
    void aUsedRefreshTokenIsRefused() throws Exception {
        HttpResponse<String> login = post(Map.of("grant_type", "password", "client_id", "keyward-cli",
                "username", "bob", "password", "bob"));
        assertThat(login.statusCode()).as(login.body()).isEqualTo(200);
        String first = JSON.readTree(login.body()).path("refresh_token").asText();
        assertThat(first).isNotBlank();
        // Keycloak knows a refresh token as stale by its issue time, in whole seconds, being before the
        // session's last refresh: so the refresh happens in a later second than the login.
        long issuedAt = JSON.readTree(Base64.getUrlDecoder().decode(first.split("\\.")[1])).path("iat").asLong();
        await().atMost(Duration.ofSeconds(5)).until(() -> Instant.now().getEpochSecond() > issuedAt);

        HttpResponse<String> refreshed = post(Map.of("grant_type", "refresh_token", "client_id", "keyward-cli",
                "refresh_token", first));
        assertThat(refreshed.statusCode()).as(refreshed.body()).isEqualTo(200);
        String second = JSON.readTree(refreshed.body()).path("refresh_token").asText();
        assertThat(second).isNotBlank().isNotEqualTo(first);

        HttpResponse<String> reused = post(Map.of("grant_type", "refresh_token", "client_id", "keyward-cli",
                "refresh_token", first));
        assertThat(reused.statusCode()).as(reused.body()).isEqualTo(400);
        assertThat(JSON.readTree(reused.body()).path("error").asText()).isEqualTo("invalid_grant");
    }

    private static JsonNode accessTokenClaims(Map<String, String> form) throws Exception {
        HttpResponse<String> response = post(form);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        String jwt = JSON.readTree(response.body()).path("access_token").asText();
        return JSON.readTree(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]));
    }

    private static HttpResponse<String> post(Map<String, String> form) throws Exception {
        String body = form.entrySet().stream()
                .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        return HTTP.send(HttpRequest.newBuilder(URI.create(keycloak.tokenEndpoint()))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
