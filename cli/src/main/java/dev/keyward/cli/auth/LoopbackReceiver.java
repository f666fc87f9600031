package dev.keyward.cli.auth;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The loopback redirect of a native app's sign-in (RFC 8252 §7.3): a one-shot HTTP listener on
 * 127.0.0.1 that receives the authorization response and tells the browser it may close.
 */
public final class LoopbackReceiver implements AutoCloseable {

    public static final String PATH = "/callback";

    private final HttpServer server;
    private final CompletableFuture<Map<String, String>> response = new CompletableFuture<>();

    private LoopbackReceiver(HttpServer server) {
        this.server = server;
    }

    /** Listens on 127.0.0.1:{@code port} (0 = any free port). */
    public static LoopbackReceiver start(int port) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        LoopbackReceiver receiver = new LoopbackReceiver(server);
        server.createContext(PATH, receiver::handle);
        server.start();
        return receiver;
    }

    public String redirectUri() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + PATH;
    }

    private void handle(HttpExchange exchange) throws IOException {
        Map<String, String> params = parseQuery(exchange.getRequestURI().getRawQuery());
        boolean ok = params.containsKey("code");
        String page = ok
                ? "<!doctype html><title>Keyward</title><p>Signed in to Keyward. You can close this tab and return to the terminal.</p>"
                : "<!doctype html><title>Keyward</title><p>Sign-in did not complete. Return to the terminal for details.</p>";
        byte[] body = page.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.sendResponseHeaders(ok ? 200 : 400, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
        // Only the first answer counts; a reload or a stray request cannot replace it.
        response.complete(params);
    }

    /** Waits for the browser to come back; the parameters of the redirect ({@code code}, {@code state} or {@code error}). */
    public Map<String, String> await(Duration timeout) throws TimeoutException, InterruptedException {
        try {
            return response.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    static Map<String, String> parseQuery(String raw) {
        Map<String, String> params = new HashMap<>();
        if (raw == null || raw.isEmpty()) {
            return params;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            params.putIfAbsent(k, v);
        }
        return params;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
