package dev.keyward.system;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.keyward.localstack.EmbeddedKeycloak;
import dev.keyward.localstack.LocalStack;
import dev.keyward.testsupport.GitCli;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import java.util.logging.StreamHandler;
import java.util.stream.Stream;

/**
 * The one local stack every system test of this JVM shares ({@code ./keyward up}'s: embedded
 * PostgreSQL and Kafka, the three packaged services as processes), started on first use on free
 * ports, its data and logs under {@code target/system-stack}, stopped when the JVM exits. Fault
 * tests stop and restart its parts and leave it whole again.
 *
 * <p>Every secret a test is handed (the admin token, each created token) is remembered here, so
 * that {@link SecretsInLogsTests} can prove no log of the whole run holds one. The test JVM's own
 * output is copied to {@code logs/test-jvm.log} for the same reason.
 *
 * <p>The services trace to an {@link OtlpReceiver} in this JVM (its spans also go to
 * {@code logs/otlp-spans.log}, for the scan), and start no trace of their own: only requests that
 * bring a sampled {@code traceparent} (as {@link TracingTests}' do) are traced, so the other tests
 * run with tracing on at almost no cost.
 */
final class SystemStack {

    /**
     * Thirty days: outside the 14-day notice window, so the deprecation job (which runs on its own
     * schedule during the run) never adds a {@code token:expiring} to the trails the tests compare.
     */
    static final int EXPIRES_IN = 30 * 86_400;

    private static SystemStack shared;

    private final LocalStack stack;
    private final String adminToken;
    private final Path work;
    private final GitCli git;
    private final OtlpReceiver otlp;
    private final Set<String> secrets = ConcurrentHashMap.newKeySet();
    private EmbeddedKeycloak keycloak;

    private SystemStack(LocalStack stack, Path work, OtlpReceiver otlp) {
        this.stack = stack;
        this.work = work;
        this.otlp = otlp;
        this.git = new GitCli(work);
        this.adminToken = readAdminToken(stack.adminTokenFile());
        secrets.add(adminToken);
    }

    /** The stack, started on the first call. */
    static synchronized SystemStack shared() {
        if (shared == null) {
            Path home = Path.of("target", "system-stack").toAbsolutePath();
            deleteTree(home);
            try {
                Files.createDirectories(home.resolve("logs"));
                copyOutputTo(home.resolve("logs").resolve("test-jvm.log"));
                OtlpReceiver otlp = OtlpReceiver.start(home.resolve("logs").resolve("otlp-spans.log"));
                LocalStack stack = new LocalStack(home, LocalStack.Ports.free())
                        // Every request here comes from 127.0.0.1, and the fault and load tests fail
                        // authentication on purpose many times (revoked keys polled until refused): the
                        // per-address brute-force cut-off (burst 30, then 1/s) would lock the tests out.
                        .serviceEnv("KEYWARD_RATE_LIMIT_FAILED_AUTH_BURST", "100000")
                        // UsageCountTests makes 10,000 requests with three keys within seconds.
                        .serviceEnv("KEYWARD_RATE_LIMIT_PROD_BURST", "100000")
                        .serviceEnv("KEYWARD_RATE_LIMIT_DEV_BURST", "100000")
                        // The Kafka outage test outlasts this, so verification events really go
                        // through the spool there (the default is 30 s).
                        .serviceEnv("KEYWARD_VERIFICATION_EVENTS_DELIVERY_TIMEOUT", "2s")
                        // Tracing on, to the receiver; no trace starts without a caller's sampled traceparent.
                        .serviceEnv("KEYWARD_OTLP_ENDPOINT", otlp.endpoint())
                        .serviceEnv("QUARKUS_OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf")
                        .serviceEnv("QUARKUS_OTEL_TRACES_SAMPLER_ARG", "0")
                        .serviceEnv("QUARKUS_OTEL_BSP_SCHEDULE_DELAY", "100ms");
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    stack.close();
                    otlp.close();
                }, "system-stack-stop"));
                stack.start();
                shared = new SystemStack(stack, Files.createDirectories(home.resolve("work")), otlp);
                shared.liftTheCreatorLimit();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        return shared;
    }

    LocalStack stack() {
        return stack;
    }

    String adminToken() {
        return adminToken;
    }

    /**
     * A real Keycloak beside the stack (the services do not use it), started on first call: its realms
     * play CI platforms that issue workload tokens. It stops when the JVM exits.
     */
    synchronized EmbeddedKeycloak keycloak() {
        if (keycloak == null) {
            keycloak = EmbeddedKeycloak.start();
        }
        return keycloak;
    }

    /** The collector the services export their spans to. */
    OtlpReceiver otlp() {
        return otlp;
    }

    /** A folder for clones; git's HOME. */
    Path work() {
        return work;
    }

    /** Every secret handed out in this run so far. */
    Set<String> secrets() {
        return Set.copyOf(secrets);
    }

    /**
     * What a service logged about failures it did not expect (each "unexpected failure" line and the
     * stack trace after it), so that a test seeing a 500 can say why in its own failure message.
     */
    String unexpectedFailures(String service) {
        Path log = stack.home().resolve("logs").resolve(service + ".log");
        try {
            List<String> lines = Files.readAllLines(log);
            StringBuilder found = new StringBuilder();
            for (int i = 0; i < lines.size(); i++) {
                if (lines.get(i).contains("unexpected failure")) {
                    lines.subList(i, Math.min(lines.size(), i + 40)).forEach(l -> found.append(l).append('\n'));
                }
            }
            return found.isEmpty() ? "(no unexpected failure in " + service + ".log)" : found.toString();
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e + ")";
        }
    }

    /** What a service has logged so far. */
    String log(String service) {
        try {
            return Files.readString(stack.home().resolve("logs").resolve(service + ".log"));
        } catch (IOException e) {
            return "(cannot read " + service + ".log: " + e + ")";
        }
    }

    /** Remembers a secret the run has seen, for the log scan. */
    void remember(String secret) {
        secrets.add(secret);
    }

    // ---- token-service ----

    /** {@code POST /v1/tokens} as {@code bearer}; the answer whatever it is (a returned secret is remembered). */
    Response tryCreateToken(String bearer, String name, String kind, Map<String, List<String>> scopes) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", name);
        body.put("kind", kind);
        body.put("scopes", scopes);
        body.put("expires_in", EXPIRES_IN);
        Response response = given().header("Authorization", "Bearer " + bearer).contentType(ContentType.JSON)
                .body(body).post(stack.tokenServiceUrl() + "/v1/tokens");
        if (response.statusCode() == 201) {
            remember(response.jsonPath().getString("token"));
        }
        return response;
    }

    /** Creates a token as {@code bearer}; fails the test unless it is 201. */
    JsonPath createToken(String bearer, String name, String kind, Map<String, List<String>> scopes) {
        Response response = tryCreateToken(bearer, name, kind, scopes);
        assertThat(response.statusCode()).as(response.asString()).isEqualTo(201);
        return response.jsonPath();
    }

    /**
     * {@code POST /v1/tokens} over the plain client (a timeout instead of a hang): a thirty-day repo
     * token that may read {@code repoPattern}. A returned secret is remembered.
     */
    HttpAnswer createReadToken(String bearer, String name, String repoPattern) {
        HttpAnswer answer = send("POST", stack.tokenServiceUrl() + "/v1/tokens", bearer,
                "{\"name\":\"" + name + "\",\"kind\":\"repo\",\"scopes\":{\"repos:" + repoPattern
                        + "\":[\"git:read\"]},\"expires_in\":" + EXPIRES_IN + "}");
        if (answer.status() == 201) {
            remember(answer.json().getString("token"));
        }
        return answer;
    }

    /**
     * Every key the system tests mint comes from the one bootstrap admin key, and keys minted by keys
     * count against the root of their chain: the demo org's policy lets that root hold as many as the
     * org may (the 12-per-creator rule itself is proven in token-service's LimitsTests).
     */
    private void liftTheCreatorLimit() {
        given().header("Authorization", "Bearer " + adminToken).contentType(ContentType.JSON)
                .body(Map.of("max_tokens_per_creator", 1000))
                .patch(stack.tokenServiceUrl() + "/v1/orgs/" + LocalStack.BOOTSTRAP_ORG + "/policy")
                .then().statusCode(200);
    }

    /** An org token for one test class to create its tokens with. */
    JsonPath createCreator(String name, String repoPattern) {
        return createToken(adminToken, name, "org", Map.of(
                "repos:" + repoPattern, List.of("git:read", "git:write", "repo:write"),
                "org", List.of("org:read", "token:write")));
    }

    void revoke(String bearer, String tokenId) {
        given().header("Authorization", "Bearer " + bearer)
                .delete(stack.tokenServiceUrl() + "/v1/tokens/" + tokenId)
                .then().statusCode(200);
    }

    // ---- repo-service ----

    void createRepo(String bearer, String id) {
        given().header("Authorization", "Bearer " + bearer).contentType(ContentType.JSON)
                .body(Map.of("id", id)).post(stack.repoServiceUrl() + "/v1/repos")
                .then().statusCode(201);
    }

    /** A git URL of a repository of the bootstrap org, with the token as the Basic-auth password. */
    String gitUrl(String token, String repo) {
        return "http://ci:" + token + "@127.0.0.1:" + URI.create(stack.repoServiceUrl()).getPort() + "/"
                + LocalStack.BOOTSTRAP_ORG + "/" + repo + ".git";
    }

    /** Creates a repository with one commit on {@code main}, as {@code token} (it needs {@code repo:write} and {@code git:write}). */
    void createRepoWithCommit(String token, String repo) throws IOException, InterruptedException {
        createRepo(token, repo);
        Path clone = Files.createTempDirectory(work, "seed");
        GitCli.Result cloned = git(work, "clone", gitUrl(token, repo), clone.toString());
        assertThat(cloned.exitCode()).as(cloned.output()).isZero();
        Files.writeString(clone.resolve("README.md"), "seed\n");
        assertThat(git(clone, "add", "README.md").exitCode()).isZero();
        assertThat(git(clone, "commit", "-m", "seed").exitCode()).isZero();
        GitCli.Result push = git(clone, "push", "origin", "HEAD:refs/heads/main");
        assertThat(push.exitCode()).as(push.output()).isZero();
    }

    // ---- audit-service ----

    /** Every event of the audit trail about one token (its {@code subject}), following pages. */
    List<Map<String, Object>> auditEventsOf(String tokenId) {
        return auditEvents(Map.of("token_id", tokenId));
    }

    /** Every event of the audit trail matching the query ({@code type}, {@code actor}...), following pages. */
    List<Map<String, Object>> auditEvents(Map<String, String> query) {
        List<Map<String, Object>> events = new ArrayList<>();
        String pageToken = null;
        do {
            var request = given().header("Authorization", "Bearer " + adminToken)
                    .queryParams(query).queryParam("page_size", 500);
            if (pageToken != null) {
                request.queryParam("page_token", pageToken);
            }
            JsonPath page = request.get(stack.auditServiceUrl() + "/v1/audit/events")
                    .then().statusCode(200).extract().jsonPath();
            events.addAll(page.getList("events"));
            pageToken = page.getString("next_page_token");
        } while (pageToken != null);
        return events;
    }

    /**
     * How many uses the events of {@code type} stand for: a verifier folds identical uses of one
     * window into one event with {@code data.count} (absent: one use).
     */
    static long usesIn(List<Map<String, Object>> events, String type) {
        return events.stream().filter(e -> type.equals(e.get("type")))
                .mapToLong(e -> ((Map<?, ?>) e.get("data")).get("count") instanceof Number n ? n.longValue() : 1)
                .sum();
    }

    // ---- plain HTTP, for status codes under faults ----

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .version(HttpClient.Version.HTTP_1_1).build();

    /** {@code GET url} with {@code token} as bearer (none when null): status and body, never an exception. */
    static HttpAnswer get(String url, String token) {
        return send("GET", url, token, null);
    }

    /**
     * One request with {@code token} as bearer (none when null) and a JSON body (none when null):
     * status ({@code -1} when there was no answer within 30 s) and body, never an exception.
     */
    static HttpAnswer send(String method, String url, String token, String json) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (json != null) {
            request.header("Content-Type", "application/json");
        }
        long start = System.nanoTime();
        try {
            HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new HttpAnswer(response.statusCode(), response.body(), response.headers(), Duration.ofNanos(System.nanoTime() - start));
        } catch (IOException e) {
            return new HttpAnswer(-1, e.getClass().getSimpleName(), HttpHeaders.of(Map.of(), (a, b) -> true),
                    Duration.ofNanos(System.nanoTime() - start));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Status of a service's readiness probe ({@code -1} when it does not answer). */
    int readiness(String serviceUrl) {
        return get(serviceUrl + "/q/health/ready", null).status();
    }

    record HttpAnswer(int status, String body, HttpHeaders headers, Duration took) {
        JsonPath json() {
            return JsonPath.from(body);
        }
    }

    // ---- git ----

    /** Runs the real git CLI in {@code dir}, with {@link #work()} as its HOME. */
    GitCli.Result git(Path dir, String... args) {
        return git.run(dir, args);
    }

    // ---- setup ----

    private static String readAdminToken(Path file) {
        try {
            return Files.readString(file).trim();
        } catch (IOException e) {
            throw new IllegalStateException("no admin token at " + file, e);
        }
    }

    /**
     * The test JVM's stdout, stderr and log records (the embedded broker and database log here) also
     * go to {@code file}.
     */
    private static void copyOutputTo(Path file) throws IOException {
        OutputStream log = new FileOutputStream(file.toFile(), true);
        System.setOut(new PrintStream(new Tee(System.out, log), true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(new Tee(System.err, log), true, StandardCharsets.UTF_8));
        StreamHandler records = new StreamHandler(log, new SimpleFormatter()) {
            @Override
            public synchronized void publish(LogRecord record) {
                super.publish(record);
                flush();
            }
        };
        records.setLevel(Level.INFO); // what the run shows; the test client's own DEBUG wire log is not the product's
        Logger.getLogger("").addHandler(records);
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new IllegalStateException("cannot clean " + dir, e);
        }
    }

    /** Writes to two streams. */
    private static final class Tee extends OutputStream {
        private final OutputStream first;
        private final OutputStream second;

        Tee(OutputStream first, OutputStream second) {
            this.first = first;
            this.second = second;
        }

        @Override
        public synchronized void write(int b) throws IOException {
            first.write(b);
            second.write(b);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) throws IOException {
            first.write(b, off, len);
            second.write(b, off, len);
        }

        @Override
        public synchronized void flush() throws IOException {
            first.flush();
            second.flush();
        }
    }
}
