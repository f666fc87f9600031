package dev.keyward.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keyward.localstack.EmbeddedKafka;
import dev.keyward.localstack.EmbeddedKeycloak;
import dev.keyward.localstack.EmbeddedPostgresServer;
import dev.keyward.localstack.LocalStack;
import dev.keyward.localstack.ServiceProcess;
import dev.keyward.localstack.PostgresConnection;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.jose4j.jwk.EcJwkGenerator;
import org.jose4j.jwk.EllipticCurveJsonWebKey;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.keys.EllipticCurves;
import org.jose4j.lang.JoseException;

/**
 * The system benchmark behind {@code bench/run}: starts PostgreSQL, Kafka, token-service and
 * repo-service (packaged, as processes, like {@code ./keyward up}) on free ports, then measures
 * <ul>
 *   <li>{@code GET /v1/repos/{id}} with wrk: no authorization (the same read through the baseline route
 *       of repo-service's benchmark build, {@code -Pbench}),
 *       a valid API key, a customer ES256 JWT — interleaved rounds in one run, so ratios compare like
 *       with like on a shared machine; then the cold misses (every request a new JWT / a new key);</li>
 *   <li>token creation through {@code POST /v1/tokens} (concurrent clients);</li>
 *   <li>revocation propagation: from {@code DELETE /v1/tokens/{id}} returning until repo-service refuses
 *       the (cached) key;</li>
 *   <li>the content API: {@code GET /v1/repos/{id}/blob/main?path=} of a 10 KB file next to
 *       {@code GET /v1/repos/{id}}, same key, interleaved rounds ({@code bench.only=content}: only this).</li>
 * </ul>
 * Prints one table of {@code metric|value|target} rows on standard output ({@code bench/run} merges it
 * with the JMH and audit rows). Settings come from system properties ({@code bench.*}, see bench/README.md).
 */
public final class SystemBenchmark {

    static final String ORG = "bench";
    static final String REPO = "team/hello";
    /** The iss of exchanged tokens, the same in both services; never fetched. */
    static final String KEYWARD_ISSUER = "https://keyward-bench.invalid";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path home;
    private final Path wrkScript;
    private final int seconds = Integer.getInteger("bench.seconds", 10);
    private final int rounds = Integer.getInteger("bench.rounds", 3);
    private final int connections = Integer.getInteger("bench.connections", 16);
    private final int creations = Integer.getInteger("bench.creations", 5000);
    private final int creationClients = Integer.getInteger("bench.creation-clients", 16);
    private final int revocations = Integer.getInteger("bench.revocations", 50);
    private final int creationWarmup = Integer.getInteger("bench.creation-warmup", 5000);
    /**
     * {@code creation}: only token creation, the introspection cold miss and revocation (no wrk read rounds);
     * {@code content}: only the content API's blob read next to the metadata read.
     */
    private final String only = System.getProperty("bench.only", "");
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<Row> rows = new ArrayList<>();
    private String tokenUrl;
    private String repoUrl;
    private String admin;
    private String operator;
    private String internalSecret;
    private EmbeddedPostgresServer pg;
    private CpuTime cpu = new CpuTime();
    private WorkloadIssuer issuer;
    private final int exchanges = Integer.getInteger("bench.exchanges", 5000);
    /** Seconds of reads measured right after the services start, before any warm-up (0 skips). */
    private final int firstMinute = Integer.getInteger("bench.first-minute", 60);
    /** Whether the full run measures Keycloak's introspection beside Keyward's (bench.keycloak=false skips). */
    private final boolean withKeycloak = Boolean.parseBoolean(System.getProperty("bench.keycloak", "true"));

    /** One line of the result table, with the 1-minute load average when it was measured. */
    record Row(String metric, String value, String target, String load) {

        Row(String metric, String value, String target) {
            this(metric, value, target, loadAverage());
        }
    }

    /** The machine's 1-minute load average now (from /proc/loadavg), or "?" where there is none. */
    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    private SystemBenchmark(Path home, Path wrkScript) {
        this.home = home;
        this.wrkScript = wrkScript;
    }

    public static void main(String[] args) throws Exception {
        Path home = Files.createTempDirectory("keyward-bench");
        Path wrkScript = ServiceProcess.projectRoot().resolve("bench/wrk/cycle-tokens.lua");
        SystemBenchmark bench = new SystemBenchmark(home, wrkScript);
        bench.run();
        bench.rows.forEach(r -> System.out.println(r.metric() + "|" + r.value() + "|" + r.target() + "|" + r.load()));
    }

    private final List<AutoCloseable> started = new ArrayList<>();

    private void run() throws Exception {
        // Stopped (SIGTERM, Ctrl-C) midway: the services and databases must not outlive the benchmark.
        Thread stopper = new Thread(this::stopAll, "bench-stop");
        Runtime.getRuntime().addShutdownHook(stopper);
        try {
            log("Starting PostgreSQL and Kafka in " + home + " ...");
            EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(home.resolve("postgres"), 0);
            started.add(pg);
            LocalStack.Ports ports = LocalStack.Ports.free();
            EmbeddedKafka kafka = EmbeddedKafka.start(home.resolve("kafka"), ports.kafka(), ports.kafkaController());
            started.add(kafka);
            String secret = LocalStack.randomSecret();
            internalSecret = secret;
            issuer = WorkloadIssuer.start();
            started.add(issuer);
            Path tokenFile = home.resolve("admin-token");
            Path operatorFile = home.resolve("operator-token");
            Path logs = Files.createDirectories(home.resolve("logs"));
            log("Starting token-service and repo-service (logs in " + logs + ") ...");
            ServiceProcess token = jvmArgs(ServiceProcess.builder("token-service").logDir(logs)
                    .database(database(pg, "keyward_token")).kafka(kafka.bootstrapServers())
                    .env("KEYWARD_INTERNAL_SECRET", secret).env("KEYWARD_JSON_LOGS", "false")
                    .env("KEYWARD_PEPPER", LocalStack.randomSecret())
                    .env("KEYWARD_SIGNING_KEYS_SECRET", LocalStack.randomSecret()).env("KEYWARD_TOKEN_ISSUER", KEYWARD_ISSUER)
                    // The benchmark's CI issuer is plain http on loopback.
                    .env("KEYWARD_EXCHANGE_ISSUER_ALLOW_HTTP", "true").env("KEYWARD_EXCHANGE_ISSUER_ALLOWED_CIDRS", "127.0.0.0/8")
                    .env("KEYWARD_BOOTSTRAP_ORG", ORG).env("KEYWARD_BOOTSTRAP_TOKEN_FILE", tokenFile.toString())
                    .env("KEYWARD_BOOTSTRAP_OPERATOR_TOKEN_FILE", operatorFile.toString()),
                    "bench.token-jvm-args").start();
            started.add(token);
            ServiceProcess.Builder repoBuilder = ServiceProcess.builder("repo-service").logDir(logs)
                    .database(database(pg, "keyward_repo")).kafka(kafka.bootstrapServers())
                    .env("KEYWARD_INTERNAL_SECRET", secret).env("KEYWARD_TOKEN_SERVICE_URL", token.baseUrl())
                    .env("KEYWARD_REPOS_DIR", home.resolve("repos").toString()).env("KEYWARD_JSON_LOGS", "false")
                    .env("KEYWARD_TOKEN_ISSUER", KEYWARD_ISSUER)
                    // The benchmark build (-Pbench): the production service plus its unauthorized-read baseline.
                    .jar(ServiceProcess.projectRoot().resolve("repo-service/target/bench/quarkus-app/quarkus-run.jar"));
            // e.g. rate limits raised far above the benchmark's load
            ServiceProcess repo = jvmArgs(repoBuilder, "bench.repo-jvm-args").start();
            started.add(repo);
            cpu = new CpuTime().track("token-service", token::pid).track("PostgreSQL", pg::pid);
            tokenUrl = token.baseUrl();
            repoUrl = repo.baseUrl();
            admin = Files.readString(tokenFile).trim();
            this.pg = pg;
            operator = Files.readString(operatorFile).trim();
            raiseTokenLimits(pg, ORG);
            prepareAndMeasure();
        } finally {
            stopAll();
            try {
                Runtime.getRuntime().removeShutdownHook(stopper);
            } catch (IllegalStateException e) {
                // already shutting down: the hook runs and finds nothing left to stop
            }
        }
    }

    private synchronized void stopAll() {
        Collections.reverse(started);
        for (AutoCloseable c : started) {
            try {
                c.close();
            } catch (Exception e) {
                log("while stopping: " + e.getMessage());
            }
        }
        started.clear();
    }

    private void prepareAndMeasure() throws Exception {
        expect(firstAnswer("POST", repoUrl + "/v1/repos", admin, Map.of("id", REPO)), 201, "create repository");
        // A typical key (the org's default TTL, 90 days): one in its last notice_days would also get the
        // Sunset header on every response (RFC 8594), which a key spends a fortnight of its life doing.
        String readKey = readJson(expect(send("POST", tokenUrl + "/v1/tokens", admin, Map.of("name", "bench-read",
                "kind", "repo", "scopes", Map.of("repos:team/*", List.of("git:read")))), 201, "create the read key").body())
                .path("token").asText();
        EllipticCurveJsonWebKey signingKey = EcJwkGenerator.generateJwk(EllipticCurves.P256);
        signingKey.setKeyId("bench-es256");
        expect(send("POST", tokenUrl + "/v1/orgs/" + ORG + "/keys", admin,
                signingKey.toParams(JsonWebKey.OutputControlLevel.PUBLIC_ONLY)), 201, "register public key");
        String jwt = CustomerJwts.sign(signingKey, ORG, REPO);
        String path = repoUrl + "/v1/repos/" + REPO;
        // The benchmark build's route: the same read, minus authorization (repo-service src/bench).
        String baseline = repoUrl + "/v1/benchmark-baseline/repos/" + ORG + "/" + REPO;
        expect(send("GET", baseline, null, null), 200, "unauthorized read (benchmark build)");
        expect(send("GET", path, null, null), 401, "read without credentials");
        expect(send("GET", path, readKey, null), 200, "read with an API key");
        expect(send("GET", path, jwt, null), 200, "read with a JWT");
        expect(send("GET", path, "kw_prod_r_00000000000000000000000000000000_000000", null), 401, "read with a bad key");
        int hold = Integer.getInteger("bench.hold-seconds", 0);
        if (hold > 0) {
            // For profiling by hand: the stack stays up with its URL and credentials in a file.
            Files.writeString(home.resolve("hold.env"), "URL=" + path + "\nKEY=" + readKey + "\nJWT=" + jwt + "\n");
            log("Holding for " + hold + " s; URL and credentials in " + home.resolve("hold.env"));
            Thread.sleep(hold * 1000L);
        }

        if (firstMinute > 0 && only.isEmpty()) {
            measureFirstMinute(path, readKey);
        }
        if (only.equals("content")) {
            measureContent(path, readKey);
            return;
        }
        if (only.equals("keycloak")) {
            measureKeycloak(path, readKey);
            return;
        }
        String exchanged = only.equals("creation") ? null : prepareExchange(path);
        if (!only.equals("creation")) {
            measureReads(path, baseline, readKey, jwt, signingKey, exchanged);
        }
        if (only.equals("exchange")) {
            measureExchanges();
            return;
        }
        if (!only.equals("creation")) {
            measureContent(path, readKey);
            measureExchanges();
            if (withKeycloak) {
                measureKeycloak(path, readKey);
            }
        }
        List<String[]> created = createTokens();
        Path keys = home.resolve("keys.txt");
        Files.write(keys, created.stream().map(c -> c[1]).toList());
        Wrk keyCold = wrk(path, null, Math.min(seconds, 5), keys);
        rows.add(new Row("GET /v1/repos/{id}, " + created.size() + " API keys in turn (introspection each): req/s, p50, p99",
                keyCold.summary(), "cold miss"));

        measureRevocation(created);
    }

    private void measureReads(String path, String baseline, String readKey, String jwt, EllipticCurveJsonWebKey signingKey,
                              String exchanged) throws Exception {
        log("wrk: " + rounds + " rounds of " + seconds + " s per mode, " + connections + " connections ...");
        List<List<Wrk>> runs = interleaved("reads", List.of(t -> wrk(baseline, null, t), t -> wrk(path, readKey, t),
                t -> wrk(path, jwt, t), t -> wrk(path, exchanged, t)));
        List<Wrk> off = runs.get(0);
        List<Wrk> key = runs.get(1);
        List<Wrk> signed = runs.get(2);
        List<Wrk> exchangedRuns = runs.get(3);
        Wrk offMedian = median(off);
        Wrk keyMedian = median(key);
        Wrk jwtMedian = median(signed);
        Wrk exchangedMedian = median(exchangedRuns);
        rows.add(new Row("GET /v1/repos/{id}, authorization off: req/s, p50, p99 (median round)", rounds(off), "baseline"));
        rows.add(new Row("GET /v1/repos/{id}, API key (cached): req/s, p50, p99", rounds(key), ""));
        rows.add(new Row("  API key / authorization off (throughput, medians)", percent(keyMedian.rps() / offMedian.rps()), ">= 90%"));
        rows.add(new Row("GET /v1/repos/{id}, ES256 JWT (cached): req/s, p50, p99", rounds(signed), ""));
        rows.add(new Row("  ES256 JWT / authorization off (throughput, medians)", percent(jwtMedian.rps() / offMedian.rps()), ">= 90%"));
        rows.add(new Row("GET /v1/repos/{id}, exchanged token (Keyward ES256, cached): req/s, p50, p99",
                rounds(exchangedRuns), ""));
        rows.add(new Row("  exchanged token / API key (throughput, medians)", percent(exchangedMedian.rps() / keyMedian.rps()), ""));
        rows.add(new Row("  token:used events dropped by repo-service", metric("keyward_verification_events_dropped"), "0"));

        int coldSeconds = Math.min(seconds, 5);
        log("Cold misses: signing distinct JWTs ...");
        Path jwts = home.resolve("jwts.txt");
        List<String> fresh = new ArrayList<>();
        for (int i = 0; i < Integer.getInteger("bench.cold-jwts", 20000); i++) {
            fresh.add(CustomerJwts.sign(signingKey, ORG, REPO));
        }
        Files.write(jwts, fresh);
        Wrk jwtCold = wrk(path, null, coldSeconds, jwts);
        rows.add(new Row("GET /v1/repos/{id}, every request a new ES256 JWT: req/s, p50, p99", jwtCold.summary()
                + (jwtCold.requests() > fresh.size() ? " (some repeated)" : ""), "cold miss"));
    }

    // ---- token exchange ----

    /** A trust policy for the benchmark's CI issuer, and one exchanged token that reads the repository. */
    private String prepareExchange(String path) throws Exception {
        expect(send("POST", tokenUrl + "/v1/orgs/" + ORG + "/trust-policies", admin, Map.of("name", "bench ci",
                "issuer", issuer.url(), "audience", WorkloadIssuer.AUDIENCE, "subject", "repo:acme/app:ref:refs/heads/*",
                "claims", Map.of("repository", "acme/app"), "scopes", Map.of("repos:team/*", List.of("git:read")))),
                201, "create trust policy");
        String token = exchange(issuer.jobToken(0)).path("access_token").asText();
        expect(send("GET", path, token, null), 200, "read with an exchanged token");
        return token;
    }

    private JsonNode exchange(String jobToken) {
        String form = "grant_type=" + enc("urn:ietf:params:oauth:grant-type:token-exchange") + "&subject_token=" + enc(jobToken)
                + "&subject_token_type=" + enc("urn:ietf:params:oauth:token-type:jwt") + "&audience=" + ORG;
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(tokenUrl + "/v1/token-exchange"))
                    .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
            expect(r, 200, "token exchange");
            return readJson(r.body());
        } catch (IOException e) {
            throw new IllegalStateException("token exchange: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String enc(String value) {
        return java.net.URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /** Exchanges from {@code creationClients} clients in rounds, each job token distinct (signed before the clock starts). */
    private void measureExchanges() throws Exception {
        log("Token exchange: signing job tokens ...");
        AtomicInteger nextJob = new AtomicInteger();
        warmUntilFlat("exchange", 1, () -> {
            List<String> jobs = jobTokens(nextJob, 1000);
            return concurrently("exchange", jobs.size(), creationClients, i -> exchange(jobs.get(i))).rate();
        });
        List<Load> runs = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            List<String> jobs = jobTokens(nextJob, exchanges);
            Map<String, Double> cpuBefore = cpu.snapshot();
            Load load = concurrently("exchange", jobs.size(), creationClients, i -> exchange(jobs.get(i)));
            runs.add(load.withCpu(CpuTime.perOperation(cpuBefore, cpu.snapshot(), load.latencies().size())));
        }
        rows.add(new Row("POST /v1/token-exchange, " + creationClients + " clients: exchanges/s, p50, p99 (median round)",
                loads(runs, "exchanged"), ">= 1,000/s"));
    }

    private List<String> jobTokens(AtomicInteger next, int count) throws JoseException {
        List<String> jobs = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            jobs.add(issuer.jobToken(next.getAndIncrement()));
        }
        return jobs;
    }

    // ---- first minute ----

    /**
     * The cached API-key read in 10-s slices from the moment the services answer, before any warm-up:
     * what the first minute after a start (a deploy, a scale-out) looks like.
     */
    private void measureFirstMinute(String path, String readKey) throws Exception {
        log("First minute: " + firstMinute + " s of reads right after the start ...");
        List<String> slices = new ArrayList<>();
        long requests = 0;
        for (int t = 0; t < firstMinute; t += 10) {
            Wrk slice = wrk(path, readKey, Math.min(10, firstMinute - t));
            slices.add("%,.0f".formatted(slice.rps()));
            requests += slice.requests();
        }
        rows.add(new Row("GET /v1/repos/{id}, API key, first " + firstMinute + " s after start: req/s per 10 s",
                String.join(" → ", slices) + " (" + "%,d".formatted(requests) + " requests)", "warm-up"));
    }

    // ---- Keycloak side by side ----

    /**
     * Keycloak's token introspection (the real server of test support and {@code ./keyward up
     * --with-keycloak}, a service-account token of the shipped realm, introspected by the API client)
     * beside Keyward's two answers to "may this token do this": token-service's introspection and
     * repo-service's authorized read with a cached key. Same wrk settings, interleaved rounds (the order
     * turns each round), so the machine's noise hits all three; the ratios are of the median rounds.
     */
    private void measureKeycloak(String path, String readKey) throws Exception {
        log("Starting Keycloak " + EmbeddedKeycloak.VERSION + " (about 20 s; 45 s the first time) ...");
        try (EmbeddedKeycloak keycloak = EmbeddedKeycloak.start()) {
            HttpResponse<String> issued = http.send(HttpRequest.newBuilder(URI.create(keycloak.tokenEndpoint()))
                    .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials&client_id=keyward-ci"
                            + "&client_secret=keyward-ci-secret")).build(), HttpResponse.BodyHandlers.ofString());
            expect(issued, 200, "Keycloak client-credentials token");
            String kcToken = readJson(issued.body()).path("access_token").asText();
            String kcUrl = keycloak.realmUrl() + "/protocol/openid-connect/token/introspect";
            String kcAuth = "Authorization: Basic " + Base64.getEncoder().encodeToString(
                    "keyward-api:keyward-api-secret".getBytes(StandardCharsets.UTF_8));
            String kcForm = "token=" + enc(kcToken);
            String kwUrl = tokenUrl + "/internal/introspect";
            String kwAuth = "X-Keyward-Internal: " + internalSecret;
            String kwJson = JSON.writeValueAsString(Map.of("token", readKey));
            expectActive(kcUrl, kcAuth, "application/x-www-form-urlencoded", kcForm, "Keycloak introspection");
            expectActive(kwUrl, kwAuth, "application/json", kwJson, "Keyward introspection");

            log("wrk: Keycloak and Keyward side by side, " + rounds + " rounds of " + seconds + " s ...");
            List<List<Wrk>> runs = interleaved("Keycloak and Keyward", List.of(
                    t -> wrkPost(kcUrl, kcAuth, "application/x-www-form-urlencoded", kcForm, t),
                    t -> wrkPost(kwUrl, kwAuth, "application/json", kwJson, t), t -> wrk(path, readKey, t)));
            List<Wrk> kc = runs.get(0);
            List<Wrk> kw = runs.get(1);
            List<Wrk> read = runs.get(2);
            double keycloakRps = median(kc).rps();
            rows.add(new Row("Keycloak " + EmbeddedKeycloak.VERSION + " token introspection (service-account token): req/s, p50, p99",
                    rounds(kc), "baseline"));
            rows.add(new Row("Keyward POST /internal/introspect (API key): req/s, p50, p99", rounds(kw), ""));
            rows.add(new Row("  Keyward introspection / Keycloak introspection (throughput, medians)",
                    "%.1f×".formatted(median(kw).rps() / keycloakRps), ""));
            rows.add(new Row("GET /v1/repos/{id}, API key (cached), in the same rounds: req/s, p50, p99", rounds(read), ""));
            rows.add(new Row("  Keyward authorized read / Keycloak introspection (throughput, medians)",
                    "%.1f×".formatted(median(read).rps() / keycloakRps), ">= 10×"));
        }
    }

    private void expectActive(String url, String header, String contentType, String body, String what) throws Exception {
        int colon = header.indexOf(':');
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header(header.substring(0, colon), header.substring(colon + 1).trim()).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        expect(r, 200, what);
        if (!readJson(r.body()).path("active").asBoolean()) {
            throw new IllegalStateException(what + " answered inactive: " + r.body());
        }
    }

    // ---- content API ----

    /**
     * A 10 KB file read through {@code GET …/blob/{ref}?path=} next to the metadata read, with the same
     * cached key: what reading a file from the repository on disk costs beyond a database row.
     */
    private void measureContent(String metadataUrl, String readKey) throws Exception {
        StringBuilder text = new StringBuilder();
        for (int line = 0; text.length() < 10 * 1024; line++) {
            text.append("line ").append(line).append(": the quick brown fox jumps over the lazy dog\n");
        }
        byte[] file = text.substring(0, 10 * 1024 - 1).concat("\n").getBytes(StandardCharsets.UTF_8);
        // Committed through the content API itself (the repository is empty: a root commit on main).
        HttpResponse<String> commit = send("POST", metadataUrl + "/commits", admin, Map.of("branch", "main",
                "message", "A 10 KB file for the benchmark", "changes", List.of(Map.of("path", "data/10k.txt",
                        "content_base64", Base64.getEncoder().encodeToString(file)))));
        expect(commit, 201, "commit the 10 KB file");
        String blobUrl = metadataUrl + "/blob/main?path=data/10k.txt";
        HttpResponse<String> blob = send("GET", blobUrl, readKey, null);
        expect(blob, 200, "read the 10 KB file");
        if (blob.body().length() != file.length) {
            throw new IllegalStateException("the blob read back is " + blob.body().length() + " bytes, not " + file.length);
        }
        log("wrk: content API, " + rounds + " rounds of " + seconds + " s per call, " + connections + " connections ...");
        List<List<Wrk>> runs = interleaved("content", List.of(t -> wrk(metadataUrl, readKey, t), t -> wrk(blobUrl, readKey, t)));
        List<Wrk> metadata = runs.get(0);
        List<Wrk> blobs = runs.get(1);
        rows.add(new Row("content: GET /v1/repos/{id} (metadata), API key: req/s, p50, p99", rounds(metadata), "baseline"));
        rows.add(new Row("content: GET /v1/repos/{id}/blob/main?path= (10 KB file), API key: req/s, p50, p99",
                rounds(blobs), ""));
        rows.add(new Row("  blob / metadata (throughput, medians)", percent(median(blobs).rps() / median(metadata).rps()), ""));
    }

    // ---- token creation ----

    private List<String[]> createTokens() throws Exception {
        // The JIT keeps compiling for thousands of creates: warm up at full concurrency until the rate is flat.
        AtomicInteger warm = new AtomicInteger();
        warmUntilFlat("creation", Math.max(1, creationWarmup / 1000), () -> createRound("warm-" + warm.incrementAndGet(), 1000, creationClients,
                List.of(admin), null).rate());
        List<String> fourOrgs = new ArrayList<>(List.of(admin));
        for (int o = 1; o < 4; o++) {
            fourOrgs.add(createOrg(ORG + "-" + o));
        }
        List<String[]> created = new ArrayList<>();
        List<Load> single = new ArrayList<>();
        List<Load> oneOrg = new ArrayList<>();
        List<Load> four = new ArrayList<>();
        int singleCount = Math.max(1, creations / 20);
        log("Token creation: " + rounds + " rounds of " + singleCount + " tokens from 1 client, " + creations + " from "
                + creationClients + " clients in one org, " + creations + " from " + creationClients + " clients over four orgs ...");
        for (int r = 0; r < rounds; r++) {
            // One client too: if 16 clients are not much faster, creations are serialized somewhere.
            single.add(createRound("one-" + r, singleCount, 1, List.of(admin), created));
            oneOrg.add(createRound("org-" + r, creations, creationClients, List.of(admin), created));
            four.add(createRound("four-" + r, creations, creationClients, fourOrgs, null));
        }
        rows.add(new Row("POST /v1/tokens, 1 client: tokens/s, p50, p99 (median round)", loads(single, "created"), ""));
        rows.add(new Row("POST /v1/tokens, " + creationClients + " clients, one org: tokens/s, p50, p99", loads(oneOrg, "created"),
                ">= 1,000/s"));
        rows.add(new Row("POST /v1/tokens, " + creationClients + " clients, four orgs: tokens/s, p50, p99", loads(four, "created"),
                ">= 1,000/s"));
        return created;
    }

    /**
     * Creates {@code count} tokens from {@code clients} threads, client {@code c} with admin key
     * {@code admins[c % n]}; the keys made go to {@code created} when it is given.
     */
    private Load createRound(String name, int count, int clients, List<String> admins, List<String[]> created)
            throws InterruptedException {
        ConcurrentLinkedQueue<String[]> made = new ConcurrentLinkedQueue<>();
        Map<String, Double> cpuBefore = cpu.snapshot();
        Load load = concurrently("create", count, clients, (client, i) -> {
            JsonNode t = createReadToken(admins.get(client % admins.size()), name + "-" + i);
            made.add(new String[] {t.path("id").asText(), t.path("token").asText()});
        });
        load = load.withCpu(CpuTime.perOperation(cpuBefore, cpu.snapshot(), load.latencies().size()));
        if (created != null) {
            created.addAll(made);
        }
        return load;
    }

    /** A new org (through the operator API) with its token limits raised; its admin key. */
    private String createOrg(String id) throws SQLException {
        HttpResponse<String> r = send("POST", tokenUrl + "/v1/orgs", operator, Map.of("id", id, "name", id, "admin_token", true));
        expect(r, 201, "create org " + id);
        raiseTokenLimits(pg, id);
        return readJson(r.body()).path("admin_token").path("token").asText();
    }

    /** The median round of loads and the spread of all rounds. */
    static String loads(List<Load> runs, String what) {
        List<Load> sorted = new ArrayList<>(runs);
        sorted.sort((a, b) -> Double.compare(a.rate(), b.rate()));
        return "%s; %d rounds %,.0f–%,.0f/s".formatted(sorted.get((sorted.size() - 1) / 2).summary(what), runs.size(),
                sorted.get(0).rate(), sorted.get(sorted.size() - 1).rate());
    }

    /** One wrk run of a mode for the seconds given. */
    interface WrkMode {
        Wrk run(int seconds) throws Exception;
    }

    /**
     * The modes warmed up together until their summed rate is flat (3-s runs), then {@code rounds}
     * rounds of {@code seconds} each, the order turning each round so that no mode always runs first
     * or right after another; each mode's runs, in the order of {@code modes}.
     */
    private List<List<Wrk>> interleaved(String what, List<WrkMode> modes) throws Exception {
        warmUntilFlat(what, 1, () -> {
            double sum = 0;
            for (WrkMode mode : modes) {
                sum += mode.run(3).rps();
            }
            return sum;
        });
        List<List<Wrk>> runs = new ArrayList<>();
        modes.forEach(m -> runs.add(new ArrayList<>()));
        for (int r = 0; r < rounds; r++) {
            for (int m = 0; m < modes.size(); m++) {
                int mode = (m + r) % modes.size();
                runs.get(mode).add(modes.get(mode).run(seconds));
            }
        }
        return runs;
    }

    /**
     * Repeats {@code round} (which answers a rate) until the rate stops rising: a round less than 3%
     * above the best so far, twice in a row, or 10 rounds. The JIT of a reactive service on 2 shared
     * cores takes minutes to settle; a fixed warm-up either wastes time or measures the warm-up.
     */
    /**
     * Runs rounds until the rate stops rising (under 3% above the best twice in a row), but at least
     * {@code minRounds} and at most {@code minRounds + 9}: a dip in the first rounds (a GC, a compile)
     * must not end a warm-up that the JIT has barely begun.
     */
    private static void warmUntilFlat(String what, int minRounds, Callable<Double> round) throws Exception {
        double best = 0;
        int flat = 0;
        List<String> seen = new ArrayList<>();
        for (int r = 0; r < minRounds + 9 && (r < minRounds || flat < 2); r++) {
            double rate = round.call();
            seen.add("%.0f".formatted(rate));
            flat = rate < best * 1.03 ? flat + 1 : 0;
            best = Math.max(best, rate);
        }
        log("Warm-up of " + what + ": " + String.join(", ", seen) + (flat < 2 ? " (still rising at the last round)" : ""));
    }

    /** The outcome of {@link #concurrently}: each success's latency (sorted), the failures, the wall time. */
    record Load(List<Long> latencies, int failures, double seconds, String cpu) {

        Load(List<Long> latencies, int failures, double seconds) {
            this(latencies, failures, seconds, "");
        }

        /** The same load with the CPU each operation cost ({@link CpuTime#perOperation}). */
        Load withCpu(String perOperation) {
            return new Load(latencies, failures, seconds, perOperation);
        }

        double rate() {
            return latencies.size() / seconds;
        }

        String summary(String what) {
            return "%,.0f/s, %s, %s (%d %s, %d failed, %.1f s%s)".formatted(latencies.size() / seconds, millis(latencies, 0.50),
                    millis(latencies, 0.99), latencies.size(), what, failures, seconds, cpu.isEmpty() ? "" : "; CPU per op: " + cpu);
        }
    }

    /** An operation of client {@code client} on item {@code index}. */
    interface ClientOperation {
        void accept(int client, int index);
    }

    /** Runs {@code operation(0 … count-1)} from {@code clients} threads, each taking the next index; a throw is a failure. */
    private static Load concurrently(String name, int count, int clients, java.util.function.IntConsumer operation)
            throws InterruptedException {
        return concurrently(name, count, clients, (client, i) -> operation.accept(i));
    }

    private static Load concurrently(String name, int count, int clients, ClientOperation operation)
            throws InterruptedException {
        ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
        AtomicInteger next = new AtomicInteger();
        AtomicInteger failures = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(clients);
        long start = System.nanoTime();
        for (int c = 0; c < clients; c++) {
            int client = c;
            new Thread(() -> {
                try {
                    int i;
                    while ((i = next.getAndIncrement()) < count) {
                        long t0 = System.nanoTime();
                        try {
                            operation.accept(client, i);
                            latencies.add(System.nanoTime() - t0);
                        } catch (RuntimeException e) {
                            if (failures.incrementAndGet() == 1) {
                                log(name + ": first failure: " + e.getMessage());
                            }
                        }
                    }
                } finally {
                    done.countDown();
                }
            }, "bench-" + name + "-" + c).start();
        }
        done.await();
        double elapsed = (System.nanoTime() - start) / 1e9;
        List<Long> sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        if (sorted.isEmpty()) {
            throw new IllegalStateException("no " + name + " succeeded (" + failures.get() + " failed)");
        }
        return new Load(sorted, failures.get(), elapsed);
    }

    private JsonNode createReadToken(String name) {
        return createReadToken(admin, name);
    }

    private JsonNode createReadToken(String adminKey, String name) {
        HttpResponse<String> r = send("POST", tokenUrl + "/v1/tokens", adminKey, Map.of("name", name, "kind", "repo",
                "scopes", Map.of("repos:team/*", List.of("git:read")), "expires_in", 86400));
        expect(r, 201, "create token");
        return readJson(r.body());
    }

    // ---- revocation ----

    private void measureRevocation(List<String[]> created) {
        int n = Math.min(revocations, created.size());
        log("Revocation propagation: " + n + " tokens ...");
        String path = repoUrl + "/v1/repos/" + REPO;
        List<Long> micros = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String id = created.get(i)[0];
            String key = created.get(i)[1];
            expect(send("GET", path, key, null), 200, "read before revocation"); // now cached in repo-service
            expect(send("DELETE", tokenUrl + "/v1/tokens/" + id, admin, null), 200, "revoke");
            long revoked = System.nanoTime();
            long deadline = revoked + Duration.ofSeconds(5).toNanos();
            while (send("GET", path, key, null).statusCode() == 200) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("a revoked key still works after 5 s");
                }
            }
            micros.add((System.nanoTime() - revoked) / 1_000);
        }
        Collections.sort(micros);
        rows.add(new Row("revocation: DELETE returned -> repo-service refuses the key, p50, p99, max",
                "%.1f ms, %.1f ms, %.1f ms (%d tokens)".formatted(pick(micros, 0.50) / 1000.0, pick(micros, 0.99) / 1000.0,
                        micros.get(micros.size() - 1) / 1000.0, n), "p99 < 1 s"));
    }

    // ---- wrk ----

    /** One wrk result. */
    record Wrk(double rps, double p50Millis, double p99Millis, long requests, long errors) {

        String summary() {
            return "%,.0f/s, %.2f ms, %.2f ms%s".formatted(rps, p50Millis, p99Millis, errors > 0 ? " (" + errors + " non-2xx!)" : "");
        }
    }

    private Wrk wrk(String url, String token, int duration) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("wrk", "-t1", "-c" + connections, "-d" + duration + "s", "--latency"));
        if (token != null) {
            command.add("-H");
            command.add("Authorization: Bearer " + token);
        }
        command.add(url);
        return runWrk(new ProcessBuilder(command));
    }

    /** wrk POSTing {@code body} with header {@code header} ("Name: value") to {@code url}. */
    private Wrk wrkPost(String url, String header, String contentType, String body, int duration)
            throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder("wrk", "-t1", "-c" + connections, "-d" + duration + "s", "--latency",
                "-H", header, "-s", wrkScript.resolveSibling("post.lua").toString(), url);
        pb.environment().put("KEYWARD_BENCH_BODY", body);
        pb.environment().put("KEYWARD_BENCH_CONTENT_TYPE", contentType);
        return runWrk(pb);
    }

    /** wrk presenting the tokens of {@code tokenFile} one after the other, one per request. */
    private Wrk wrk(String url, String token, int duration, Path tokenFile) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder("wrk", "-t1", "-c" + connections, "-d" + duration + "s", "--latency",
                "-s", wrkScript.toString(), url);
        pb.environment().put("KEYWARD_BENCH_TOKENS", tokenFile.toString());
        return runWrk(pb);
    }

    private static Wrk runWrk(ProcessBuilder pb) throws IOException, InterruptedException {
        Process p = pb.redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IllegalStateException("wrk failed: " + out);
        }
        return parseWrk(out);
    }

    static Wrk parseWrk(String out) {
        double rps = 0;
        double p50 = Double.NaN;
        double p99 = Double.NaN;
        long requests = 0;
        long errors = 0;
        for (String raw : out.split("\n")) {
            String line = raw.trim();
            String[] f = line.split("\\s+");
            if (line.startsWith("Requests/sec:")) {
                rps = Double.parseDouble(f[1]);
            } else if (line.startsWith("50%")) {
                p50 = toMillis(f[1]);
            } else if (line.startsWith("99%")) {
                p99 = toMillis(f[1]);
            } else if (line.contains("requests in")) {
                requests = Long.parseLong(f[0]);
            } else if (line.startsWith("Non-2xx or 3xx responses:")) {
                errors += Long.parseLong(f[f.length - 1]);
            } else if (line.startsWith("Socket errors:")) {
                for (String part : line.substring("Socket errors:".length()).split(",")) {
                    errors += Long.parseLong(part.trim().split("\\s+")[1]);
                }
            }
        }
        if (rps == 0) {
            throw new IllegalStateException("cannot read wrk output: " + out);
        }
        return new Wrk(rps, p50, p99, requests, errors);
    }

    private static double toMillis(String v) {
        if (v.endsWith("us")) {
            return Double.parseDouble(v.substring(0, v.length() - 2)) / 1000;
        }
        if (v.endsWith("ms")) {
            return Double.parseDouble(v.substring(0, v.length() - 2));
        }
        if (v.endsWith("s")) {
            return Double.parseDouble(v.substring(0, v.length() - 1)) * 1000;
        }
        return Double.parseDouble(v);
    }

    /** The round with the median throughput (the lower middle one of an even count). */
    static Wrk median(List<Wrk> runs) {
        List<Wrk> sorted = new ArrayList<>(runs);
        sorted.sort((a, b) -> Double.compare(a.rps(), b.rps()));
        return sorted.get((sorted.size() - 1) / 2);
    }

    /** The median round's summary and the spread of all rounds: "median …; n rounds min–max/s". */
    static String rounds(List<Wrk> runs) {
        double min = runs.stream().mapToDouble(Wrk::rps).min().orElseThrow();
        double max = runs.stream().mapToDouble(Wrk::rps).max().orElseThrow();
        return "%s; %d rounds %,.0f–%,.0f/s".formatted(median(runs).summary(), runs.size(), min, max);
    }

    // ---- helpers ----

    private HttpResponse<String> send(String method, String url, String bearer, Object body) {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
            if (bearer != null) {
                b.header("Authorization", "Bearer " + bearer);
            }
            if (body != null) {
                b.header("Content-Type", "application/json");
            }
            b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
            return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(method + " " + url + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * The first authorized call: on a loaded machine the cold token-service may miss the verifier's
     * introspection timeout (503 unavailable), so it is repeated for up to a minute.
     */
    private HttpResponse<String> firstAnswer(String method, String url, String bearer, Object body) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        HttpResponse<String> r = send(method, url, bearer, body);
        while (r.statusCode() == 503 && System.nanoTime() < deadline) {
            Thread.sleep(500); // polling a peer that is warming up: there is no event to wait on
            r = send(method, url, bearer, body);
        }
        return r;
    }

    private static HttpResponse<String> expect(HttpResponse<String> r, int status, String what) {
        if (r.statusCode() != status) {
            throw new IllegalStateException(what + ": expected HTTP " + status + ", got " + r.statusCode() + " " + r.body());
        }
        return r;
    }

    private String metric(String name) {
        for (String line : send("GET", repoUrl + "/q/metrics", null, null).body().split("\n")) {
            if (line.startsWith(name)) {
                return line.substring(line.lastIndexOf(' ') + 1);
            }
        }
        return "n/a";
    }

    private static JsonNode readJson(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The token policy is per org in token-service's database; the benchmark's org may hold any number of tokens. */
    private static void raiseTokenLimits(EmbeddedPostgresServer pg, String org) throws SQLException {
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl("keyward_token"), EmbeddedPostgresServer.USER,
                EmbeddedPostgresServer.USER); Statement s = c.createStatement()) {
            int updated = s.executeUpdate("update token_service.orgs set max_active_per_user = 1000000,"
                    + " max_active_per_org = 1000000 where id = '" + org + "'");
            if (updated != 1) {
                throw new IllegalStateException("org " + org + " does not exist");
            }
        }
    }

    /** Extra JVM options of a service from a system property (space separated), e.g. a JFR recording. */
    private static ServiceProcess.Builder jvmArgs(ServiceProcess.Builder builder, String property) {
        for (String arg : System.getProperty(property, "").split("\\s+")) {
            if (!arg.isBlank()) {
                builder.jvmArg(arg);
            }
        }
        return builder;
    }

    private static PostgresConnection database(EmbeddedPostgresServer pg, String name) {
        pg.createDatabase(name);
        return new PostgresConnection(pg.host(), pg.port(), name, EmbeddedPostgresServer.USER,
                EmbeddedPostgresServer.USER);
    }

    private static String percent(double ratio) {
        return "%.1f%%".formatted(ratio * 100);
    }

    private static String millis(List<Long> sortedNanos, double q) {
        return "%.1f ms".formatted(pick(sortedNanos, q) / 1e6);
    }

    private static long pick(List<Long> sorted, double q) {
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(q * sorted.size()) - 1));
    }

    private static void log(String line) {
        System.err.println(line);
    }
}
