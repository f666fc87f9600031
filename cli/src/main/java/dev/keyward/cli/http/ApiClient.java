package dev.keyward.cli.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keyward.cli.CliException;
import dev.keyward.cli.ExitCode;
import dev.keyward.cli.auth.Credentials;
import dev.keyward.cli.config.Service;
import dev.keyward.cli.config.Settings;
import dev.keyward.cli.output.Times;
import dev.keyward.contract.RefusalReason;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;

/**
 * Calls the Keyward APIs with the caller's credentials and turns every failure into a
 * {@link CliException} that says what went wrong and what to do, with the documented exit code.
 */
public final class ApiClient {

    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
    private static final String SUNSET = "Sunset";

    private final Settings settings;
    private final Credentials credentials;
    private final HttpClients http;
    private final ObjectMapper json;
    private final PrintWriter err;
    private final Clock clock;
    private boolean sunsetWarned;

    /** {@code err}: where the expiry warning goes (standard error), once per command. */
    public ApiClient(Settings settings, Credentials credentials, HttpClients http, ObjectMapper json, PrintWriter err, Clock clock) {
        this.settings = settings;
        this.credentials = credentials;
        this.http = http;
        this.json = json;
        this.err = err;
        this.clock = clock;
    }

    /** A query string builder that leaves out null values. */
    public static Map<String, String> query() {
        return new LinkedHashMap<>();
    }

    public JsonNode get(Service service, String path, Map<String, String> query) {
        return send(service, "GET", path + queryString(query), null);
    }

    public JsonNode post(Service service, String path, Object body) {
        return send(service, "POST", path, body);
    }

    public JsonNode put(Service service, String path, Object body) {
        return send(service, "PUT", path, body);
    }

    public JsonNode patch(Service service, String path, Object body) {
        return send(service, "PATCH", path, body);
    }

    public JsonNode delete(Service service, String path) {
        return send(service, "DELETE", path, null);
    }

    public JsonNode delete(Service service, String path, Map<String, String> query) {
        return send(service, "DELETE", path + queryString(query), null);
    }

    /** Sends an authenticated request and returns the JSON answer of a 2xx. */
    public JsonNode send(Service service, String method, String path, Object body) {
        HttpRequest.Builder request = request(service, path).header("Accept", "application/json");
        if (body != null) {
            request.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(write(body)));
        } else {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<String> response = execute(service, request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw failure(service, response.statusCode(), response.body(), response.headers().firstValue("Retry-After").orElse(null));
        }
        return parse(service, response.body());
    }

    /** Opens a streamed authenticated GET (e.g. NDJSON export); the caller closes the stream. */
    public InputStream stream(Service service, String path, Map<String, String> query, String accept) {
        HttpRequest request = request(service, path + queryString(query)).header("Accept", accept)
                .timeout(Duration.ofHours(1)).GET().build();
        HttpResponse<InputStream> response = execute(service, request, HttpResponse.BodyHandlers.ofInputStream());
        if (response.statusCode() / 100 != 2) {
            String body;
            try (InputStream in = response.body()) {
                body = new String(in.readNBytes(64 * 1024), StandardCharsets.UTF_8);
            } catch (IOException e) {
                body = "";
            }
            throw failure(service, response.statusCode(), body, null);
        }
        return response.body();
    }

    /** An unauthenticated GET returning status and body, for health probes; unreachable still throws. */
    public HttpResponse<String> probe(Service service, String path) {
        HttpRequest request = HttpRequest.newBuilder(uri(service, path)).timeout(Duration.ofSeconds(10))
                .header("Accept", "application/json").GET().build();
        return execute(service, request, HttpResponse.BodyHandlers.ofString());
    }

    /**
     * An unauthenticated form POST ({@code application/x-www-form-urlencoded}) returning status and body
     * whatever the status, for endpoints that take no Keyward credential (token exchange) and answer
     * errors of their own shape; unreachable still throws.
     */
    public HttpResponse<String> postFormWithoutCredentials(Service service, String path, Map<String, String> form) {
        HttpRequest request = HttpRequest.newBuilder(uri(service, path)).timeout(REQUEST_TIMEOUT)
                .header("User-Agent", "keyward-cli")
                .header("Accept", "application/json")
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(formBody(form))).build();
        return execute(service, request, HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest.Builder request(Service service, String path) {
        return HttpRequest.newBuilder(uri(service, path))
                .timeout(REQUEST_TIMEOUT)
                .header("User-Agent", "keyward-cli")
                .header("Authorization", "Bearer " + credentials.bearer());
    }

    private URI uri(Service service, String path) {
        String base = settings.url(service);
        try {
            return URI.create(base + path);
        } catch (IllegalArgumentException e) {
            throw CliException.usage("the " + service.displayName() + " URL '" + base + "' is not a valid URL (set "
                    + service.flag() + " or " + service.envVar() + ")");
        }
    }

    private <T> HttpResponse<T> execute(Service service, HttpRequest request, HttpResponse.BodyHandler<T> handler) {
        try {
            HttpResponse<T> response = http.forUri(request.uri()).send(request, handler);
            if (request.headers().firstValue("Authorization").isPresent()) {
                response.headers().firstValue(SUNSET).ifPresent(this::warnOfExpiry);
            }
            return response;
        } catch (HttpConnectTimeoutException | ConnectException e) {
            throw unreachable(service, "connection refused or timed out", e);
        } catch (HttpTimeoutException e) {
            throw new CliException(ExitCode.UNREACHABLE, service.displayName() + " at " + settings.url(service)
                    + " did not answer within " + REQUEST_TIMEOUT.toSeconds() + " s", "check the service's health: keyward health", e);
        } catch (IOException e) {
            throw unreachable(service, e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(ExitCode.FAILED, "interrupted", null, e);
        }
    }

    /**
     * The services send {@code Sunset} (RFC 8594) to a key that expires within its org's notice days:
     * one line on stderr per command, naming the key by its prefix only.
     */
    private synchronized void warnOfExpiry(String sunset) {
        if (sunsetWarned) {
            return;
        }
        sunsetWarned = true;
        // The header is the server's text, printed to a terminal: printable ASCII only.
        String shown = sunset.replaceAll("[^\\x20-\\x7e]", "?");
        String when;
        try {
            when = "expires " + Times.relative(ZonedDateTime.parse(sunset, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant(), clock);
        } catch (DateTimeParseException e) {
            when = "expires soon";
        }
        err.println("warning: the token in use (" + credentials.describe() + ") " + when + " (Sunset: " + shown
                + "); rotate it with keyward token rotate --self, or create a new one");
        err.flush();
    }

    private CliException unreachable(Service service, String why, Exception cause) {
        return new CliException(ExitCode.UNREACHABLE,
                "cannot reach " + service.displayName() + " at " + settings.url(service) + " (" + why + ")",
                "is it running (./keyward up)? Point the CLI at it with " + service.flag() + " or " + service.envVar(), cause);
    }

    /** Maps an error answer ({@code {error, message}}) to the exit code and a hint. */
    CliException failure(Service service, int status, String body, String retryAfter) {
        String error = null;
        String message = null;
        try {
            JsonNode node = json.readTree(body == null ? "" : body);
            if (node != null && node.isObject()) {
                error = text(node, "error");
                message = text(node, "message");
            }
        } catch (JsonProcessingException e) {
            // not JSON: a proxy or a crashed service; the status says enough
        }
        String detail = message != null ? message : "HTTP " + status;
        String what = service.displayName() + " answered " + status + (error != null ? " " + error : "") + ": " + detail;
        return switch (status) {
            case 401 -> CliException.notAuthenticated("not signed in: " + detail, credentials.unauthorizedHint());
            case 403 -> CliException.failed("refused" + (error != null ? " (" + error + ")" : "") + ": " + detail,
                    RefusalReason.ORG_SUSPENDED.wireName().equals(error)
                            ? "a platform operator has suspended the org; nothing is deleted, and an operator can resume it (keyward org resume)"
                            : "the credentials in use (" + credentials.describe() + ") lack the permission; ask an org admin for a token that has it");
            case 404 -> new CliException(ExitCode.NOT_FOUND, "not found: " + detail, null);
            case 429 -> CliException.failed("rate limited: " + detail,
                    "try again" + (retryAfter != null ? " in " + retryAfter + " s" : " later"));
            default -> CliException.failed(what, status >= 500 ? "the service failed; try again, and check its log if it persists" : null);
        };
    }

    private JsonNode parse(Service service, String body) {
        if (body == null || body.isBlank()) {
            return json.createObjectNode();
        }
        try {
            return json.readTree(body);
        } catch (JsonProcessingException e) {
            throw CliException.failed(service.displayName() + " answered something that is not JSON",
                    "check that " + service.flag() + " points at " + service.displayName());
        }
    }

    private String write(Object body) {
        try {
            return json.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the request body", e);
        }
    }

    static String queryString(Map<String, String> query) {
        if (query == null || query.isEmpty()) {
            return "";
        }
        StringJoiner joined = new StringJoiner("&", "?", "");
        query.forEach((k, v) -> {
            if (v != null) {
                joined.add(encode(k) + "=" + encode(v));
            }
        });
        return joined.length() == 1 ? "" : joined.toString();
    }

    /** {@code application/x-www-form-urlencoded}: UTF-8, fields in the map's order, null values left out. */
    static String formBody(Map<String, String> form) {
        StringJoiner joined = new StringJoiner("&");
        form.forEach((k, v) -> {
            if (v != null) {
                joined.add(URLEncoder.encode(k, StandardCharsets.UTF_8) + "=" + URLEncoder.encode(v, StandardCharsets.UTF_8));
            }
        });
        return joined.toString();
    }

    /** Encodes one path segment or query value. */
    public static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
