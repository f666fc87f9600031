package dev.keyward.cli.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keyward.cli.CliException;
import dev.keyward.cli.ExitCode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;

/** An OpenID Connect provider as the CLI (a public client) uses it: discovery, token requests, revocation. */
public final class OidcProvider {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private final HttpClient http;
    private final ObjectMapper json;
    private final Discovery discovery;

    /** What {@code /.well-known/openid-configuration} says, as far as the CLI needs it. */
    public record Discovery(String issuer, String authorizationEndpoint, String tokenEndpoint,
                            String deviceAuthorizationEndpoint, String revocationEndpoint, String endSessionEndpoint) {
    }

    /** A token endpoint answer; expiries in seconds (0 when not given). */
    public record TokenResponse(String accessToken, String refreshToken, String idToken, long expiresIn,
                                long refreshExpiresIn) {

        @Override
        public String toString() {
            return "TokenResponse[expires_in=" + expiresIn + "]";
        }
    }

    /** An error answer of the token endpoint ({@code authorization_pending}, {@code invalid_grant}, ...). */
    public static final class OAuthError extends RuntimeException {
        private final String error;

        OAuthError(String error, String description) {
            super(description != null ? error + ": " + description : error);
            this.error = error;
        }

        public String error() {
            return error;
        }
    }

    private OidcProvider(HttpClient http, ObjectMapper json, Discovery discovery) {
        this.http = http;
        this.json = json;
        this.discovery = discovery;
    }

    /** Fetches {@code <issuer>/.well-known/openid-configuration}. */
    public static OidcProvider discover(String issuer, HttpClient http, ObjectMapper json) {
        String base = issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer;
        URI uri;
        try {
            uri = URI.create(base + "/.well-known/openid-configuration");
        } catch (IllegalArgumentException e) {
            throw CliException.usage("the issuer '" + issuer + "' is not a URL");
        }
        HttpResponse<String> response = send(http, HttpRequest.newBuilder(uri).timeout(TIMEOUT).GET().build(), issuer);
        if (response.statusCode() != 200) {
            throw CliException.failed("the identity provider at " + issuer + " has no OpenID configuration (HTTP "
                    + response.statusCode() + ")", "check --issuer (e.g. https://sso.example.com/realms/<realm>)");
        }
        JsonNode d;
        try {
            d = json.readTree(response.body());
        } catch (IOException e) {
            throw CliException.failed("the OpenID configuration of " + issuer + " is not JSON", "check --issuer");
        }
        Discovery discovery = new Discovery(text(d, "issuer"), text(d, "authorization_endpoint"), text(d, "token_endpoint"),
                text(d, "device_authorization_endpoint"), text(d, "revocation_endpoint"), text(d, "end_session_endpoint"));
        if (discovery.tokenEndpoint() == null) {
            throw CliException.failed("the OpenID configuration of " + issuer + " names no token endpoint", null);
        }
        return new OidcProvider(http, json, discovery);
    }

    /** A provider known only by its token endpoint (for refreshing a stored session without discovery). */
    public static OidcProvider ofTokenEndpoint(String tokenEndpoint, HttpClient http, ObjectMapper json) {
        return new OidcProvider(http, json, new Discovery(null, null, tokenEndpoint, null, null, null));
    }

    public Discovery discovery() {
        return discovery;
    }

    /** Exchanges an authorization code (with its PKCE verifier) for tokens. */
    public TokenResponse exchangeCode(String clientId, String code, String redirectUri, String verifier) {
        return tokenRequest(form("grant_type", "authorization_code", "client_id", clientId, "code", code,
                "redirect_uri", redirectUri, "code_verifier", verifier));
    }

    public TokenResponse refresh(String clientId, String refreshToken) {
        return tokenRequest(form("grant_type", "refresh_token", "client_id", clientId, "refresh_token", refreshToken));
    }

    /** One poll of the device grant; throws {@link OAuthError} {@code authorization_pending} until approved. */
    public TokenResponse pollDevice(String clientId, String deviceCode, Pkce pkce) {
        return tokenRequest(form("grant_type", "urn:ietf:params:oauth:grant-type:device_code",
                "client_id", clientId, "device_code", deviceCode, "code_verifier", pkce.verifier()));
    }

    /**
     * Starts the device authorization grant (RFC 8628), bound to a PKCE challenge: providers that
     * require PKCE of a public client (Keycloak does) require it here too, and it does no harm elsewhere.
     */
    public JsonNode startDevice(String clientId, String scope, Pkce pkce) {
        if (discovery.deviceAuthorizationEndpoint() == null) {
            throw CliException.failed("the identity provider does not offer the device authorization grant",
                    "sign in without --device (browser on this machine)");
        }
        HttpResponse<String> response = post(discovery.deviceAuthorizationEndpoint(), form("client_id", clientId, "scope", scope,
                "code_challenge", pkce.challenge(), "code_challenge_method", "S256"));
        JsonNode body = readJson(response.body());
        if (response.statusCode() != 200) {
            throw oauthFailure(body, response.statusCode());
        }
        return body;
    }

    /**
     * Ends the provider-side session: token revocation (RFC 7009) where offered, else the
     * end-session endpoint with the refresh token (Keycloak's back-channel logout). Best effort.
     *
     * @return whether the provider confirmed
     */
    public boolean revoke(Session session) {
        if (session.refreshToken() == null) {
            return false;
        }
        String revocation = session.revocationEndpoint();
        if (revocation != null) {
            HttpResponse<String> r = post(revocation, form("client_id", session.clientId(),
                    "token", session.refreshToken(), "token_type_hint", "refresh_token"));
            if (r.statusCode() / 100 == 2) {
                return true;
            }
        }
        if (session.endSessionEndpoint() != null) {
            HttpResponse<String> r = post(session.endSessionEndpoint(), form("client_id", session.clientId(),
                    "refresh_token", session.refreshToken()));
            return r.statusCode() / 100 == 2;
        }
        return false;
    }

    private TokenResponse tokenRequest(Map<String, String> form) {
        HttpResponse<String> response = post(discovery.tokenEndpoint(), form);
        JsonNode body = readJson(response.body());
        if (response.statusCode() != 200) {
            throw oauthFailure(body, response.statusCode());
        }
        String access = text(body, "access_token");
        if (access == null) {
            throw CliException.failed("the identity provider's token answer holds no access token", null);
        }
        return new TokenResponse(access, text(body, "refresh_token"), text(body, "id_token"),
                body.path("expires_in").asLong(300), body.path("refresh_expires_in").asLong(0));
    }

    private RuntimeException oauthFailure(JsonNode body, int status) {
        String error = text(body, "error");
        if (error == null) {
            return CliException.failed("the identity provider answered HTTP " + status, null);
        }
        return new OAuthError(error, text(body, "error_description"));
    }

    private HttpResponse<String> post(String endpoint, Map<String, String> form) {
        StringJoiner body = new StringJoiner("&");
        form.forEach((k, v) -> body.add(URLEncoder.encode(k, StandardCharsets.UTF_8) + "=" + URLEncoder.encode(v, StandardCharsets.UTF_8)));
        HttpRequest request = HttpRequest.newBuilder(URI.create(endpoint)).timeout(TIMEOUT)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
        return send(http, request, endpoint);
    }

    private static HttpResponse<String> send(HttpClient http, HttpRequest request, String what) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new CliException(ExitCode.UNREACHABLE, "cannot reach the identity provider at " + what,
                    "check --issuer / KEYWARD_ISSUER and that the provider is running", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(ExitCode.FAILED, "interrupted", null, e);
        }
    }

    private JsonNode readJson(String body) {
        try {
            JsonNode node = json.readTree(body == null ? "" : body);
            return node == null ? json.createObjectNode() : node;
        } catch (IOException e) {
            return json.createObjectNode();
        }
    }

    private static Map<String, String> form(String... pairs) {
        Map<String, String> form = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            form.put(pairs[i], pairs[i + 1]);
        }
        return form;
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() || v.asText().isEmpty() ? null : v.asText();
    }
}
