package dev.keyward.verification;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.keyward.contract.Introspection;
import dev.keyward.contract.LeakReport;
import dev.keyward.contract.OrgRules;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * token-service's internal API over HTTP (docs/internal-contracts.md): {@code POST
 * /internal/introspect}, {@code GET /internal/orgs/{org}/keys} and {@code GET /internal/orgs/rules}, authenticated with the shared
 * {@code X-Keyward-Internal} secret, and its public {@code GET /.well-known/jwks.json} (Keyward's
 * signing keys, asked without the secret). Asynchronous (JDK {@link HttpClient}, each call on a small pool
 * of its own); the key travels only in the request body. Each request carries the caller's trace
 * ({@link TracePropagation}).
 */
public final class TokenServiceClient implements TokenIntrospector, OrgKeySource, OrgRulesSource, KeywardKeySource {

    public static final String SECRET_HEADER = "X-Keyward-Internal";
    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /**
     * The threads calls wait on, shared by every client of the process. {@code HttpClient.sendAsync} hands
     * each answer to the common pool's default executor, which on a 2-core machine (parallelism 1) is a
     * new OS thread per task: a cold-miss burst started a thread per request. A blocking {@code send}
     * on these threads starts none; 8 bounds the calls in flight (each takes a few milliseconds).
     */
    private static final ExecutorService CLIENT_THREADS = Executors.newFixedThreadPool(8, runnable -> {
        Thread thread = new Thread(runnable, "keyward-token-service-client");
        thread.setDaemon(true);
        return thread;
    });

    private final URI baseUrl;
    private final String secret;
    private final Duration timeout;
    private final HttpClient http;

    public TokenServiceClient(URI baseUrl, String secret, Duration timeout) {
        String base = baseUrl.toString();
        this.baseUrl = URI.create(base.endsWith("/") ? base.substring(0, base.length() - 1) : base);
        this.secret = secret;
        this.timeout = timeout;
        // Not CLIENT_THREADS as the client's executor: a blocking send needs the client's own threads to
        // finish, so with all of ours waiting in send() nothing would (a deadlock at 8 calls in flight).
        this.http = HttpClient.newBuilder().connectTimeout(timeout).version(HttpClient.Version.HTTP_1_1).build();
    }

    /** {@code request} sent on {@link #CLIENT_THREADS}; its dependents run there too. */
    private CompletionStage<HttpResponse<byte[]>> send(HttpRequest request) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return http.send(request, HttpResponse.BodyHandlers.ofByteArray());
            } catch (IOException e) {
                throw new CompletionException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CompletionException(e);
            }
        }, CLIENT_THREADS);
    }

    @Override
    public CompletionStage<Introspection> introspect(String apiKey) {
        byte[] body;
        try {
            body = JSON.writeValueAsBytes(Map.of("token", apiKey));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        HttpRequest request = request("/internal/introspect")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        return send(request)
                .thenApply(response -> readIntrospection(expectOk(response, "introspection")));
    }

    @Override
    public CompletionStage<List<Map<String, Object>>> keys(String org) {
        HttpRequest request = request("/internal/orgs/" + URLEncoder.encode(org, StandardCharsets.UTF_8) + "/keys").GET().build();
        return send(request)
                .thenApply(response -> readKeys(expectOk(response, "key fetch")));
    }

    @Override
    public CompletionStage<List<Map<String, Object>>> keywardKeys() {
        // A public document: the internal secret stays off this request.
        HttpRequest request = TracePropagation.propagate(HttpRequest.newBuilder(URI.create(baseUrl + "/.well-known/jwks.json")))
                .timeout(timeout).GET().build();
        return send(request)
                .thenApply(response -> readKeys(expectOk(response, "Keyward key fetch")));
    }

    @Override
    public CompletionStage<Map<String, OrgRules>> all() {
        HttpRequest request = request("/internal/orgs/rules").GET().build();
        return send(request)
                .thenApply(response -> readRules(expectOk(response, "org rules fetch")));
    }

    /**
     * Reports keys found in a push ({@code POST /internal/leaks}): token-service records
     * {@code token:leaked} for each live one and revokes it when its org's policy says so.
     * Completes exceptionally when token-service cannot be asked.
     */
    public CompletionStage<LeakReport.Answer> reportLeaks(LeakReport report) {
        byte[] body;
        try {
            body = JSON.writeValueAsBytes(report);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        HttpRequest request = request("/internal/leaks").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        return send(request).thenApply(response -> {
            try {
                return JSON.readValue(expectOk(response, "leak report"), LeakReport.Answer.class);
            } catch (IOException e) {
                throw new TokenServiceException("unreadable leak report answer: " + e.getClass().getSimpleName());
            }
        });
    }

    /** The body of {@code GET /internal/orgs/rules}. */
    public record RulesAnswer(Map<String, OrgRules> orgs) {
    }

    static Map<String, OrgRules> readRules(byte[] body) {
        try {
            RulesAnswer answer = JSON.readValue(body, RulesAnswer.class);
            return answer.orgs() == null ? Map.of() : answer.orgs();
        } catch (IOException | RuntimeException e) {
            throw new TokenServiceException("unreadable org rules answer: " + e.getClass().getSimpleName());
        }
    }

    private HttpRequest.Builder request(String path) {
        return TracePropagation.propagate(HttpRequest.newBuilder(URI.create(baseUrl + path))).timeout(timeout)
                .header(SECRET_HEADER, secret);
    }

    private static byte[] expectOk(HttpResponse<byte[]> response, String what) {
        if (response.statusCode() != 200) {
            throw new TokenServiceException(what + " answered HTTP " + response.statusCode());
        }
        return response.body();
    }

    static Introspection readIntrospection(byte[] body) {
        try {
            Introspection answer = JSON.readValue(body, Introspection.class);
            return answer.active() ? answer : Introspection.inactive(answer.reason());
        } catch (IOException | RuntimeException e) {
            throw new TokenServiceException("unreadable introspection answer: " + e.getClass().getSimpleName());
        }
    }

    static List<Map<String, Object>> readKeys(byte[] body) {
        try {
            JsonNode keys = JSON.readTree(body).path("keys");
            return JSON.convertValue(keys, new TypeReference<List<Map<String, Object>>>() { });
        } catch (IOException | RuntimeException e) {
            throw new TokenServiceException("unreadable keys answer: " + e.getClass().getSimpleName());
        }
    }

    /** The token service did not give a usable answer. */
    public static final class TokenServiceException extends RuntimeException {
        public TokenServiceException(String message) {
            super(message);
        }
    }
}
