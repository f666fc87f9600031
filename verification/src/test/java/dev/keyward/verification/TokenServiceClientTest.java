package dev.keyward.verification;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.keyward.contract.Introspection;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class TokenServiceClientTest {

    private static byte[] bytes(String json) {
        return json.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void anActiveAnswerBindsToTheSharedRecord() {
        Introspection i = TokenServiceClient.readIntrospection(bytes("""
                {"active":true,"id":"tok_1","org":"acme","subject":"ci","kind":"repo","environment":"prod",
                 "scopes":{"repos:team/*":["git:read","git:write"]},"key_prefix":"kw_prod_r_abcdefgh",
                 "expires_at":"2027-01-02T03:04:05Z","allowed_cidrs":["10.0.0.0/8"],"added_later":1}"""));
        assertThat(i).isEqualTo(new Introspection(true, null, "tok_1", "acme", "ci", "repo", "prod",
                Map.of("repos:team/*", List.of("git:read", "git:write")), "kw_prod_r_abcdefgh",
                Instant.parse("2027-01-02T03:04:05Z"), List.of("10.0.0.0/8")));
    }

    @Test
    void anInactiveAnswerKeepsOnlyItsReason() {
        assertThat(TokenServiceClient.readIntrospection(bytes("{\"active\":false,\"reason\":\"revoked\",\"org\":\"acme\"}")))
                .isEqualTo(Introspection.inactive("revoked"));
    }

    @Test
    void keywardsSigningKeysComeFromThePublicJwksWithoutTheInternalSecret() throws Exception {
        List<String> secretsSeen = new CopyOnWriteArrayList<>();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/.well-known/jwks.json", exchange -> {
            secretsSeen.add(String.valueOf(exchange.getRequestHeaders().getFirst(TokenServiceClient.SECRET_HEADER)));
            byte[] body = bytes("{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-256\",\"kid\":\"kw-1\",\"x\":\"a\",\"y\":\"b\"}]}");
            exchange.sendResponseHeaders(exchange.getRequestMethod().equals("GET") ? 200 : 405, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.createContext("/down/.well-known/jwks.json", exchange -> {
            exchange.sendResponseHeaders(503, -1);
            exchange.close();
        });
        server.start();
        try {
            String base = "http://127.0.0.1:" + server.getAddress().getPort();
            TokenServiceClient client = new TokenServiceClient(URI.create(base + "/"), "the-internal-secret", Duration.ofSeconds(5));
            List<Map<String, Object>> keys = client.keywardKeys().toCompletableFuture().join();
            assertThat(keys).hasSize(1);
            assertThat(keys.get(0)).containsEntry("kid", "kw-1").containsEntry("kty", "EC");
            assertThat(secretsSeen).containsExactly("null");

            TokenServiceClient down = new TokenServiceClient(URI.create(base + "/down"), "s", Duration.ofSeconds(5));
            assertThatThrownBy(() -> down.keywardKeys().toCompletableFuture().join())
                    .isInstanceOf(CompletionException.class)
                    .hasCauseInstanceOf(TokenServiceClient.TokenServiceException.class)
                    .hasRootCauseMessage("Keyward key fetch answered HTTP 503");
        } finally {
            server.stop(0);
        }
    }

    /** Introspection continues the caller's trace: token-service's span is a child of the request being verified. */
    @Test
    void anIntrospectionCarriesTheCallersTrace() throws Exception {
        List<String> traceparents = new CopyOnWriteArrayList<>();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/internal/introspect", exchange -> {
            traceparents.add(String.valueOf(exchange.getRequestHeaders().getFirst("traceparent")));
            byte[] body = bytes("{\"active\":false,\"reason\":\"unknown\"}");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        try {
            TokenServiceClient client = new TokenServiceClient(URI.create("http://127.0.0.1:" + server.getAddress().getPort()),
                    "s", Duration.ofSeconds(5));
            try (Scope ignored = Context.root().with(Span.wrap(TracePropagationTest.SPAN)).makeCurrent()) {
                client.introspect("kw_prod_r_x").toCompletableFuture().join();
            }
            client.introspect("kw_prod_r_y").toCompletableFuture().join();
            assertThat(traceparents).containsExactly("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "null");
        } finally {
            server.stop(0);
        }
    }

    @Test
    void answersAreHandledOnTheClientsOwnThreadsNotANewThreadEach() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(java.util.concurrent.Executors.newSingleThreadExecutor());
        server.createContext("/internal/introspect", exchange -> {
            exchange.getRequestBody().readAllBytes();
            byte[] body = bytes("{\"active\":false,\"reason\":\"revoked\"}");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        try {
            TokenServiceClient client = new TokenServiceClient(URI.create("http://127.0.0.1:" + server.getAddress().getPort()),
                    "s", Duration.ofSeconds(5));
            client.introspect("kw_prod_r_warmup").toCompletableFuture().join();
            long before = threads.getTotalStartedThreadCount();
            for (int i = 0; i < 60; i++) {
                assertThat(client.introspect("kw_prod_r_" + i).toCompletableFuture().join())
                        .isEqualTo(Introspection.inactive("revoked"));
            }
            // sendAsync started a thread per answer where the common pool has parallelism 1 (2 cores);
            // the client's own pool of 8 threads is the ceiling now.
            assertThat(threads.getTotalStartedThreadCount() - before).isLessThan(20);

            // Many calls at once, more than the pool's threads: all answered (no thread waits on another).
            List<java.util.concurrent.CompletableFuture<Introspection>> burst = new java.util.ArrayList<>();
            for (int i = 0; i < 64; i++) {
                burst.add(client.introspect("kw_prod_r_burst" + i).toCompletableFuture());
            }
            for (java.util.concurrent.CompletableFuture<Introspection> answer : burst) {
                assertThat(answer.get(30, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(Introspection.inactive("revoked"));
            }
        } finally {
            server.stop(0);
        }
    }

    @Test
    void anUnreadableAnswerSaysSoWithoutQuotingIt() {
        assertThatThrownBy(() -> TokenServiceClient.readIntrospection(bytes("{\"active\":true,\"expires_at\":\"kw_secret\"}")))
                .isInstanceOf(TokenServiceClient.TokenServiceException.class)
                .hasMessageNotContaining("kw_secret");
    }
}
