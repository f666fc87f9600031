package dev.keyward.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.keyward.testsupport.GitCli;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A bounded run of mixed traffic on loopback: each worker, over and over, creates a token, verifies
 * it through repo-service's API, clones with it, revokes it and waits for repo-service to refuse it.
 * Every answer must be the expected one, and revoked keys refused within 1 s at p95 (none later
 * than 5 s; a run has only about a hundred revocations, so its p99 would be its slowest one, and
 * the benchmark keeps the p99 figure); the throughput and latencies are printed and written to
 * {@code target/load-report.md} (docs/reliability.md keeps the measured numbers).
 * {@code -Dkeyward.load.seconds} and {@code -Dkeyward.load.workers} size it.
 */
class MixedLoadTests {

    private static final Duration RUN = Duration.ofSeconds(Long.getLong("keyward.load.seconds", 30));
    private static final int WORKERS = Integer.getInteger("keyward.load.workers", 4);
    private static final int VERIFICATIONS_PER_TOKEN = 5;
    /** The target, as a p95 over the run (the benchmark measures the p99 over more)... */
    private static final Duration REVOCATION_P95 = Duration.ofSeconds(1);
    /** ...and the hard limit on a single revocation: beyond it the run has an error. */
    private static final Duration REVOCATION_BOUND = Duration.ofSeconds(5);
    private static final String REPOS = "load";
    private static final String REPO = REPOS + "/r";
    private static final String REFUSED = "revoked→refused";

    private final SystemStack system = SystemStack.shared();
    private final Map<String, List<Long>> latencies = new ConcurrentHashMap<>();
    private final List<String> errors = new CopyOnWriteArrayList<>();

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void aBoundedMixedRunHoldsWithNoErrors() throws Exception {
        String lead = system.createCreator("load-lead", REPOS + "/*").getString("token");
        system.createRepoWithCommit(lead, REPO);
        List<String> creators = new ArrayList<>();
        for (int i = 0; i < WORKERS; i++) {
            creators.add(system.createCreator("load-worker-" + i, REPOS + "/*").getString("token"));
        }

        long deadline = System.nanoTime() + RUN.toNanos();
        long started = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(WORKERS);
        List<Future<?>> workers = new ArrayList<>();
        for (int i = 0; i < WORKERS; i++) {
            String creator = creators.get(i);
            Path work = Files.createTempDirectory(system.work(), "load" + i);
            workers.add(pool.submit(() -> {
                for (int n = 0; System.nanoTime() < deadline; n++) {
                    iteration(creator, work.resolve("c" + n));
                }
                return null;
            }));
        }
        for (Future<?> worker : workers) {
            worker.get();
        }
        pool.shutdown();
        Duration elapsed = Duration.ofNanos(System.nanoTime() - started);

        String report = report(elapsed);
        System.out.println(report);
        Files.writeString(Path.of("target", "load-report.md"), report);
        assertThat(errors).as("errors of the run").isEmpty();
        assertThat(latencies.get("create")).as("tokens created").hasSizeGreaterThan(WORKERS);
        List<Long> refused = latencies.get(REFUSED).stream().sorted().toList();
        assertThat(ms(refused, 0.95)).as("revoked→refused p95 ms").isLessThan(REVOCATION_P95.toMillis());
    }

    /** One token's life: create, verify, clone, revoke, refused (timed). */
    private void iteration(String creator, Path clone) throws IOException, InterruptedException {
        long t = System.nanoTime();
        SystemStack.HttpAnswer created = system.createReadToken(creator, "load", REPOS + "/*");
        if (!expect("create", created, 201, t)) {
            return;
        }
        String token = created.json().getString("token");
        String repoUrl = system.stack().repoServiceUrl() + "/v1/repos/" + REPO;
        for (int i = 0; i < VERIFICATIONS_PER_TOKEN; i++) {
            t = System.nanoTime();
            expect("verify", SystemStack.get(repoUrl, token), 200, t);
        }
        t = System.nanoTime();
        GitCli.Result cloned = system.git(system.work(), "clone", "--quiet", system.gitUrl(token, REPO), clone.toString());
        record("clone", t);
        if (cloned.exitCode() != 0) {
            errors.add("clone: exit " + cloned.exitCode() + ": " + cloned.output().strip());
        }
        SystemStack.deleteTree(clone);
        t = System.nanoTime();
        SystemStack.HttpAnswer revoked = SystemStack.send("DELETE",
                system.stack().tokenServiceUrl() + "/v1/tokens/" + created.json().getString("id"), creator, null);
        if (!expect("revoke", revoked, 200, t)) {
            return;
        }
        long revokedAt = System.nanoTime();
        try {
            await().atMost(REVOCATION_BOUND).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(20))
                    .until(() -> SystemStack.get(repoUrl, token).status() == 401);
            record(REFUSED, revokedAt);
        } catch (ConditionTimeoutException e) {
            errors.add("a revoked token was not refused within " + REVOCATION_BOUND.toMillis() + " ms");
        }
    }

    private boolean expect(String op, SystemStack.HttpAnswer answer, int status, long startNanos) {
        record(op, startNanos);
        if (answer.status() != status) {
            errors.add(op + ": " + answer.status() + " " + answer.body());
            return false;
        }
        return true;
    }

    private void record(String op, long startNanos) {
        latencies.computeIfAbsent(op, k -> Collections.synchronizedList(new ArrayList<>())).add(System.nanoTime() - startNanos);
    }

    private String report(Duration elapsed) {
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT,
                "Mixed load: %d workers, %.1f s, %d errors, %d cores%n%n| operation | count | per second | p50 ms | p95 ms | p99 ms | max ms |%n|---|---:|---:|---:|---:|---:|---:|%n",
                WORKERS, elapsed.toMillis() / 1000.0, errors.size(), Runtime.getRuntime().availableProcessors()));
        for (Map.Entry<String, List<Long>> op : new TreeMap<>(latencies).entrySet()) {
            List<Long> sorted = new ArrayList<>(op.getValue());
            sorted.sort(Comparator.naturalOrder());
            out.append(String.format(Locale.ROOT, "| %s | %d | %.1f | %.1f | %.1f | %.1f | %.1f |%n", op.getKey(), sorted.size(),
                    sorted.size() / (elapsed.toMillis() / 1000.0), ms(sorted, 0.50), ms(sorted, 0.95), ms(sorted, 0.99),
                    sorted.get(sorted.size() - 1) / 1e6));
        }
        errors.stream().limit(20).forEach(e -> out.append("error: ").append(e).append('\n'));
        return out.toString();
    }

    private static double ms(List<Long> sorted, double quantile) {
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(quantile * sorted.size()) - 1)) / 1e6;
    }

}
