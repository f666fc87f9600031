package dev.keyward.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keyward.localstack.EmbeddedKafka;
import dev.keyward.localstack.EmbeddedPostgresServer;
import dev.keyward.localstack.LocalStack;
import dev.keyward.localstack.PostgresConnection;
import dev.keyward.localstack.ServiceProcess;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * What one token exchange costs in CPU, which a shared machine measures far more steadily than a
 * rate: token-service's process CPU and PostgreSQL's (every one of its processes), from
 * {@code /proc/<pid>/stat}, before and after each round of exchanges from concurrent clients,
 * divided by the round's exchanges. Starts PostgreSQL, Kafka, the benchmark's CI issuer and the
 * packaged token-service (no repo-service), warms up, then measures. Settings ({@code -D}):
 * {@code bench.exchanges} per round (5,000), {@code bench.rounds} (3), {@code bench.clients} (16),
 * {@code bench.warmup} exchanges before measuring (20,000), {@code bench.jfr} a file for a JFR
 * profile of token-service over the measured rounds, {@code bench.token-jvm-args}, {@code bench.token-jar}
 * another build's {@code quarkus-run.jar} (a before-and-after pair). Linux only.
 */
public final class ExchangeCost {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final double TICK_MS = 10; // USER_HZ is 100 on Linux

    private final int perRound = Integer.getInteger("bench.exchanges", 5000);
    private final int rounds = Integer.getInteger("bench.rounds", 3);
    private final int clients = Integer.getInteger("bench.clients", 16);
    private final int warmup = Integer.getInteger("bench.warmup", 20000);
    private final String jfr = System.getProperty("bench.jfr", "");
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final AtomicInteger nextRun = new AtomicInteger();
    private String tokenUrl;
    private WorkloadIssuer issuer;

    public static void main(String[] args) throws Exception {
        new ExchangeCost().run(Files.createTempDirectory("keyward-exchange-cost"));
    }

    private void run(Path home) throws Exception {
        try (EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(home.resolve("postgres"), 0)) {
            LocalStack.Ports ports = LocalStack.Ports.free();
            try (EmbeddedKafka kafka = EmbeddedKafka.start(home.resolve("kafka"), ports.kafka(), ports.kafkaController());
                 WorkloadIssuer ci = WorkloadIssuer.start()) {
                issuer = ci;
                pg.createDatabase("keyward_token");
                Path tokenFile = home.resolve("admin-token");
                ServiceProcess.Builder builder = ServiceProcess.builder("token-service").logDir(Files.createDirectories(home.resolve("logs")))
                        .database(new PostgresConnection(pg.host(), pg.port(), "keyward_token", EmbeddedPostgresServer.USER,
                                EmbeddedPostgresServer.USER))
                        .kafka(kafka.bootstrapServers())
                        .env("KEYWARD_INTERNAL_SECRET", LocalStack.randomSecret()).env("KEYWARD_JSON_LOGS", "false")
                        .env("KEYWARD_PEPPER", LocalStack.randomSecret())
                        .env("KEYWARD_SIGNING_KEYS_SECRET", LocalStack.randomSecret())
                        .env("KEYWARD_TOKEN_ISSUER", SystemBenchmark.KEYWARD_ISSUER)
                        .env("KEYWARD_EXCHANGE_ISSUER_ALLOW_HTTP", "true").env("KEYWARD_EXCHANGE_ISSUER_ALLOWED_CIDRS", "127.0.0.0/8")
                        .env("KEYWARD_BOOTSTRAP_ORG", SystemBenchmark.ORG).env("KEYWARD_BOOTSTRAP_TOKEN_FILE", tokenFile.toString());
                String jar = System.getProperty("bench.token-jar", "");
                if (!jar.isBlank()) {
                    builder.jar(Path.of(jar));
                }
                for (String arg : System.getProperty("bench.token-jvm-args", "").split("\\s+")) {
                    if (!arg.isBlank()) {
                        builder.jvmArg(arg);
                    }
                }
                try (ServiceProcess token = builder.start()) {
                    tokenUrl = token.baseUrl();
                    measure(Files.readString(tokenFile).trim(), pg.pid(), pg.jdbcUrl("keyward_token"));
                }
            }
        }
    }

    private void measure(String admin, long postgresPid, String jdbcUrl) throws Exception {
        HttpResponse<String> created = http.send(HttpRequest.newBuilder(URI.create(tokenUrl + "/v1/orgs/" + SystemBenchmark.ORG
                        + "/trust-policies")).header("Authorization", "Bearer " + admin).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(Map.of("name", "bench ci", "issuer", issuer.url(),
                        "audience", WorkloadIssuer.AUDIENCE, "subject", "repo:acme/app:ref:refs/heads/*",
                        "claims", Map.of("repository", "acme/app"), "scopes", Map.of("repos:team/*", List.of("git:read"))))))
                .build(), HttpResponse.BodyHandlers.ofString());
        if (created.statusCode() != 201) {
            throw new IllegalStateException("create trust policy: HTTP " + created.statusCode() + " " + created.body());
        }
        long tokenPid = ProcessHandle.current().descendants()
                .filter(p -> p.info().commandLine().orElse("").contains("quarkus-run.jar")).findFirst()
                .orElseThrow(() -> new IllegalStateException("token-service process not found")).pid();
        long postmaster = postgresPid;
        log("token-service pid " + tokenPid + ", postmaster pid " + postmaster);

        for (int done = 0; done < warmup; done += perRound) {
            log("warm-up: %.0f exchanges/s".formatted(round(jobTokens(Math.min(perRound, warmup - done)))));
        }
        if (!jfr.isBlank()) {
            jcmd(tokenPid, "JFR.start", "name=exchange", "settings=profile", "filename=" + jfr);
        }
        List<String> lines = new ArrayList<>();
        Map<String, ThreadTicks> threadsBefore = threadTicks(tokenPid);
        for (int r = 0; r < rounds; r++) {
            List<String> jobs = jobTokens(perRound);
            long xactBefore = transactions(jdbcUrl);
            long tokenBefore = CpuTime.ticks(tokenPid);
            long pgBefore = CpuTime.treeTicks(postmaster);
            long wallBefore = System.nanoTime();
            double rate = round(jobs);
            double wall = (System.nanoTime() - wallBefore) / 1e9;
            double tokenMs = (CpuTime.ticks(tokenPid) - tokenBefore) * TICK_MS / perRound;
            double pgMs = (CpuTime.treeTicks(postmaster) - pgBefore) * TICK_MS / perRound;
            double xacts = (transactions(jdbcUrl) - xactBefore) / (double) perRound;
            lines.add(("round %d: %,d exchanges in %.1f s (%.0f/s): token-service %.3f ms CPU/exchange, PostgreSQL %.3f ms,"
                    + " sum %.3f ms; %.2f transactions/exchange; load %s")
                    .formatted(r + 1, perRound, wall, rate, tokenMs, pgMs, tokenMs + pgMs, xacts, SystemBenchmark.loadAverage()));
            log(lines.get(lines.size() - 1));
        }
        Map<String, long[]> spent = spentByName(threadsBefore, threadTicks(tokenPid));
        if (!jfr.isBlank()) {
            jcmd(tokenPid, "JFR.stop", "name=exchange");
        }
        lines.add("token-service threads over the " + rounds + " rounds, ms CPU per exchange (user + system):");
        spent.entrySet().stream()
                .filter(e -> e.getValue()[0] + e.getValue()[1] > 0)
                .sorted((a, b) -> Long.compare(b.getValue()[0] + b.getValue()[1], a.getValue()[0] + a.getValue()[1]))
                .forEach(e -> lines.add("  %-16s %.3f + %.3f".formatted(e.getKey(),
                        e.getValue()[0] * TICK_MS / perRound / rounds, e.getValue()[1] * TICK_MS / perRound / rounds)));
        lines.forEach(System.out::println);
    }

    /** Distinct job tokens, signed before a round so that the signing is outside what it measures. */
    private List<String> jobTokens(int count) throws org.jose4j.lang.JoseException {
        List<String> jobs = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            jobs.add(issuer.jobToken(nextRun.getAndIncrement()));
        }
        return jobs;
    }

    /** Every job token exchanged once, from the clients; the rate. */
    private double round(List<String> jobs) throws Exception {
        int count = jobs.size();
        AtomicInteger next = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(clients);
        long start = System.nanoTime();
        for (int c = 0; c < clients; c++) {
            new Thread(() -> {
                try {
                    int i;
                    while ((i = next.getAndIncrement()) < count) {
                        if (!exchange(jobs.get(i))) {
                            failed.incrementAndGet();
                        }
                    }
                } finally {
                    done.countDown();
                }
            }, "exchange-client-" + c).start();
        }
        done.await();
        double seconds = (System.nanoTime() - start) / 1e9;
        if (failed.get() > 0) {
            throw new IllegalStateException(failed.get() + " of " + count + " exchanges failed");
        }
        return count / seconds;
    }

    private boolean exchange(String jobToken) {
        String form = "grant_type=" + enc("urn:ietf:params:oauth:grant-type:token-exchange") + "&subject_token=" + enc(jobToken)
                + "&subject_token_type=" + enc("urn:ietf:params:oauth:token-type:jwt") + "&audience=" + SystemBenchmark.ORG;
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(tokenUrl + "/v1/token-exchange"))
                    .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                log("exchange: HTTP " + r.statusCode() + " " + r.body());
                return false;
            }
            JsonNode body = JSON.readTree(r.body());
            return body.hasNonNull("access_token");
        } catch (IOException e) {
            log("exchange: " + e);
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** utime + stime of a process, in clock ticks; 0 for one that is gone. */
    /** A thread's name (digits folded, so a pool reads as one line) and its user and system ticks. */
    private record ThreadTicks(String name, long user, long system) {
    }

    /** The threads of a process by thread id. */
    private static Map<String, ThreadTicks> threadTicks(long pid) throws IOException {
        Map<String, ThreadTicks> byId = new java.util.HashMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            for (Path task : tasks.toList()) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replaceAll("\\d+", "#");
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    byId.put(task.getFileName().toString(), new ThreadTicks(name, Long.parseLong(f[11]), Long.parseLong(f[12])));
                } catch (IOException | RuntimeException e) {
                    // ended meanwhile
                }
            }
        }
        return byId;
    }

    /** What each thread name spent between two readings (a thread started meanwhile counts from zero). */
    private static Map<String, long[]> spentByName(Map<String, ThreadTicks> before, Map<String, ThreadTicks> after) {
        Map<String, long[]> byName = new java.util.HashMap<>();
        after.forEach((id, now) -> {
            ThreadTicks then = before.get(id);
            long[] sum = byName.computeIfAbsent(now.name(), n -> new long[2]);
            sum[0] += now.user() - (then == null ? 0 : then.user());
            sum[1] += now.system() - (then == null ? 0 : then.system());
        });
        return byName;
    }

    /**
     * Transactions token-service's database has committed or rolled back (a statement outside a
     * transaction counts as one). The statistics lag by up to half a second: whole rounds only.
     */
    private static long transactions(String jdbcUrl) throws java.sql.SQLException, InterruptedException {
        Thread.sleep(1000); // the statistics collector's delay, not a condition to wait for
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(jdbcUrl, EmbeddedPostgresServer.USER,
                EmbeddedPostgresServer.USER); java.sql.Statement s = c.createStatement();
             java.sql.ResultSet rs = s.executeQuery("select xact_commit + xact_rollback from pg_stat_database"
                     + " where datname = current_database()")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void jcmd(long pid, String... command) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("jcmd", Long.toString(pid)));
        args.addAll(List.of(command));
        Process p = new ProcessBuilder(args).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", args) + ": " + out);
        }
        log(out.strip());
    }

    private static String enc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static void log(String line) {
        System.err.println(line);
    }
}
