package dev.keyward.repo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** The control-plane calls the tests need, made over HTTP to the real token-service. */
public final class TokenServiceApi implements TokenAuthority {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final String baseUrl;
    private final String adminToken;
    private final HttpClient http = HttpClient.newHttpClient();

    TokenServiceApi(String baseUrl, String adminToken) {
        this.baseUrl = baseUrl;
        this.adminToken = adminToken;
    }

    @Override
    public Issued createToken(String kind, Map<String, List<String>> scopes, long expiresInSeconds, List<String> allowedCidrs) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", "repo-test-" + UUID.randomUUID().toString().substring(0, 8));
        body.put("kind", kind);
        body.put("scopes", scopes);
        body.put("expires_in", expiresInSeconds);
        if (allowedCidrs != null) {
            body.put("allowed_cidrs", allowedCidrs);
        }
        JsonNode created = send("POST", "/v1/tokens", body, 201);
        return new Issued(created.get("id").asText(), created.get("token").asText(), created.get("key_prefix").asText());
    }

    @Override
    public void revoke(String tokenId) {
        send("DELETE", "/v1/tokens/" + tokenId, null, 200);
    }

    @Override
    public void registerKey(Map<String, Object> publicJwk) {
        send("POST", "/v1/orgs/" + ORG + "/keys", publicJwk, 201);
    }

    /** Any call with this API's key; fails unless it answers {@code expectedStatus}. */
    public JsonNode send(String method, String path, Object body, int expectedStatus) {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl + path))
                    .header("Authorization", "Bearer " + adminToken)
                    .header("Content-Type", "application/json");
            b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
            HttpResponse<String> response = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != expectedStatus) {
                throw new AssertionError(method + " " + path + " answered " + response.statusCode() + ": " + response.body());
            }
            return response.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(response.body());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
