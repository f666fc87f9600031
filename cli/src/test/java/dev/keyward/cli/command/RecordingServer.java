package dev.keyward.cli.command;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * token-service at the wire for what the CLI sends and how it reads answers, where the test is about
 * the CLI's side (what it encodes, which headers, which output); the real calls run in LocalStackIT.
 * Every request gets the same answer.
 */
final class RecordingServer implements AutoCloseable {

    record Request(String method, String path, String authorization, String contentType, String body) {
    }

    final List<Request> requests = new CopyOnWriteArrayList<>();
    private final HttpServer server;

    RecordingServer(int status, String answer) throws IOException {
        this(status, answer, Map.of());
    }

    /** Every answer also carries {@code headers}. */
    RecordingServer(int status, String answer, Map<String, String> headers) throws IOException {
        byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            requests.add(new Request(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(),
                    exchange.getRequestHeaders().getFirst("Authorization"), exchange.getRequestHeaders().getFirst("Content-Type"),
                    new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            headers.forEach(exchange.getResponseHeaders()::add);
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
