package dev.keyward.token.exchange;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keyward.token.notify.WebhookTarget;
import dev.keyward.verification.OrgKeySource;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * The public keys of a workload's OIDC issuer, found the standard way: the issuer's discovery
 * document ({@code <issuer>/.well-known/openid-configuration}), whose {@code issuer} must be the
 * issuer itself, then its {@code jwks_uri}. Both URLs pass the webhook rules ({@link WebhookTarget}:
 * https unless allowed, no private, loopback, link-local or metadata address) right before each
 * fetch; redirects are not followed and answers are capped in size. Keyed by issuer URL for an
 * {@link dev.keyward.verification.OrgKeyCache}, which caches the keys and refreshes them at most once
 * per interval on an unknown {@code kid}. Blocking work (DNS, HTTP) runs on {@code executor}.
 */
public final class IssuerKeySource implements OrgKeySource {

    static final String DISCOVERY_PATH = "/.well-known/openid-configuration";
    private static final int MAX_BODY_BYTES = 512 * 1024;

    private final WebhookTarget.Settings rules;
    private final WebhookTarget.Resolver resolver;
    private final HttpClient http;
    private final Duration timeout;
    private final Executor executor;
    private final ObjectMapper json = new ObjectMapper();

    public IssuerKeySource(WebhookTarget.Settings rules, WebhookTarget.Resolver resolver, Duration timeout, Executor executor) {
        this.rules = rules;
        this.resolver = resolver;
        this.timeout = timeout;
        this.executor = executor;
        this.http = HttpClient.newBuilder()
                .connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .executor(executor)
                .build();
    }

    /** The discovery document's URL of an issuer. */
    static String discoveryUrl(String issuer) {
        return (issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer) + DISCOVERY_PATH;
    }

    @Override
    public CompletionStage<List<Map<String, Object>>> keys(String issuer) {
        return CompletableFuture.supplyAsync(() -> fetch(issuer), executor);
    }

    private List<Map<String, Object>> fetch(String issuer) {
        JsonNode discovery = get("issuer", discoveryUrl(issuer));
        if (!issuer.equals(discovery.path("issuer").asText(null))) {
            throw new IllegalStateException("the issuer's discovery document names another issuer");
        }
        String jwksUri = discovery.path("jwks_uri").asText(null);
        if (jwksUri == null || jwksUri.isBlank()) {
            throw new IllegalStateException("the issuer's discovery document has no jwks_uri");
        }
        JsonNode keys = get("jwks_uri", jwksUri).path("keys");
        if (!keys.isArray()) {
            throw new IllegalStateException("the issuer's JWKS has no keys array");
        }
        List<Map<String, Object>> out = new ArrayList<>();
        for (JsonNode key : keys) {
            if (key.isObject()) {
                out.add(json.convertValue(key, Map.class));
            }
        }
        return out;
    }

    private JsonNode get(String what, String url) {
        URI target;
        try {
            target = WebhookTarget.check(url, rules, resolver);
        } catch (WebhookTarget.UnsafeUrl e) {
            throw new IllegalStateException(e.messageFor(what));
        }
        HttpRequest request = HttpRequest.newBuilder(target).timeout(timeout).header("Accept", "application/json").GET().build();
        try {
            HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream body = response.body()) {
                if (response.statusCode() != 200) {
                    throw new IllegalStateException(what + " answered HTTP " + response.statusCode());
                }
                byte[] bytes = body.readNBytes(MAX_BODY_BYTES + 1);
                if (bytes.length > MAX_BODY_BYTES) {
                    throw new IllegalStateException(what + " answered more than " + MAX_BODY_BYTES + " bytes");
                }
                return json.readTree(bytes);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(what + " cannot be read: " + e.getClass().getSimpleName(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
