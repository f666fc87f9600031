package dev.keyward.verification.quarkus;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class UseCoalescerTest {

    /** A use's identity as the verifier sees it. */
    record Use(String token, String repo, String operation, String clientIp, String outcome) {
    }

    record Fold(Use key, String template, long count, long first, long last) {
    }

    /** Collects what is flushed, from any thread. */
    static final class Folds implements UseCoalescer.Emitter<Use, String> {
        final List<Fold> all = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void emit(Use key, String template, long count, long firstMillis, long lastMillis) {
            all.add(new Fold(key, template, count, firstMillis, lastMillis));
        }

        long total() {
            synchronized (all) {
                return all.stream().mapToLong(Fold::count).sum();
            }
        }
    }

    private final AtomicLong now = new AtomicLong(1_000_000);
    private final Folds flushed = new Folds();
    private final Folds overflow = new Folds();
    private final Use read = new Use("tok_1", "team/app", "git:read", "10.0.0.1", "success");

    private UseCoalescer<Use, String> coalescer(long windowMillis, int maxOpen) {
        return new UseCoalescer<>(windowMillis, maxOpen, now::get);
    }

    @Test
    void identicalUsesWithinTheWindowFoldIntoOneCountWithTheirFirstAndLastTime() {
        UseCoalescer<Use, String> c = coalescer(1_000, 100);
        long start = now.get();
        for (int i = 0; i < 5; i++) {
            c.add(new Use("tok_1", "team/app", "git:read", "10.0.0.1", "success"), "first-" + i, overflow);
            now.addAndGet(100);
        }
        now.set(start + 999);
        assertThat(c.flushDue(flushed)).as("the window has not ended").isZero();
        assertThat(c.millisUntilDue()).isEqualTo(1);

        now.set(start + 1_000);
        assertThat(c.flushDue(flushed)).isEqualTo(1);
        assertThat(flushed.all).containsExactly(new Fold(read, "first-0", 5, start, start + 400));
        assertThat(overflow.all).isEmpty();
        assertThat(c.openKeys()).isZero();
        assertThat(c.millisUntilDue()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void anotherAddressOutcomeRepositoryOperationOrTokenIsAnotherFold() {
        UseCoalescer<Use, String> c = coalescer(1_000, 100);
        List<Use> uses = List.of(read,
                new Use("tok_1", "team/app", "git:read", "10.0.0.2", "success"),
                new Use("tok_1", "team/app", "git:read", "10.0.0.1", "denied"),
                new Use("tok_1", "team/other", "git:read", "10.0.0.1", "success"),
                new Use("tok_1", "team/app", "git:write", "10.0.0.1", "success"),
                new Use("tok_2", "team/app", "git:read", "10.0.0.1", "success"));
        for (Use use : uses) {
            c.add(use, null, overflow);
            c.add(use, null, overflow);
        }
        assertThat(c.openKeys()).isEqualTo(6);
        now.addAndGet(1_000);
        c.flushDue(flushed);

        assertThat(flushed.all).extracting(Fold::key).containsExactlyElementsOf(uses);
        assertThat(flushed.all).extracting(Fold::count).containsOnly(2L);
    }

    @Test
    void aUseAtTheWindowsEndOpensANewWindowEvenBeforeTheFlusherCame() {
        UseCoalescer<Use, String> c = coalescer(1_000, 100);
        long start = now.get();
        c.add(read, null, overflow);
        now.set(start + 999);
        c.add(read, null, overflow);
        now.set(start + 1_000);
        c.add(read, null, overflow); // the first window is over: flushed here, this use opens the next

        assertThat(overflow.all).containsExactly(new Fold(read, null, 2, start, start + 999));
        assertThat(c.flushDue(flushed)).isZero();
        now.set(start + 2_000);
        c.flushDue(flushed);
        assertThat(flushed.all).containsExactly(new Fold(read, null, 1, start + 1_000, start + 1_000));
    }

    @Test
    void atTheBoundOfOpenKeysTheOldestIsFlushedEarlyAndNothingIsDropped() {
        UseCoalescer<Use, String> c = coalescer(1_000, 2);
        Use a = read;
        Use b = new Use("tok_2", "team/app", "git:read", "10.0.0.1", "success");
        Use d = new Use("tok_3", "team/app", "git:read", "10.0.0.1", "success");
        c.add(a, null, overflow);
        c.add(a, null, overflow);
        c.add(b, null, overflow);
        c.add(d, null, overflow);

        assertThat(overflow.all).extracting(Fold::key, Fold::count).containsExactly(org.assertj.core.groups.Tuple.tuple(a, 2L));
        assertThat(c.openKeys()).isEqualTo(2);
        c.add(b, null, overflow);
        c.flushAll(flushed);
        assertThat(flushed.all).extracting(Fold::key, Fold::count).containsExactlyInAnyOrder(
                org.assertj.core.groups.Tuple.tuple(b, 2L), org.assertj.core.groups.Tuple.tuple(d, 1L));
        assertThat(c.openKeys()).isZero();
    }

    @Test
    void flushAllSendsEveryOpenFoldAtOnce() {
        UseCoalescer<Use, String> c = coalescer(1_000, 100);
        for (int i = 0; i < 7; i++) {
            c.add(read, null, overflow);
        }
        c.add(new Use("tok_2", "team/app", "git:read", "10.0.0.1", "success"), null, overflow);
        c.flushAll(flushed);

        assertThat(flushed.total()).isEqualTo(8);
        assertThat(flushed.all).hasSize(2);
        assertThat(c.openKeys()).isZero();
        assertThat(c.millisUntilDue()).isEqualTo(Long.MAX_VALUE);
    }

    /**
     * 8 threads × 10,000 uses over 3 tokens × 2 addresses, while a flusher takes folds as fast as it
     * can with a 1 ms window and the bound (4) is below the number of keys (6): every kind of race
     * between counting and flushing happens many times, and the counts still add up exactly.
     */
    @Test
    void countsAreExactUnderConcurrentUsesAndFlushes() throws Exception {
        UseCoalescer<Use, String> c = new UseCoalescer<>(1, 4, System::currentTimeMillis);
        int threads = 8;
        int perThread = 10_000;
        List<Use> keys = new ArrayList<>();
        for (String token : List.of("tok_a", "tok_b", "tok_c")) {
            for (String ip : List.of("127.0.0.1", "127.0.0.2")) {
                keys.add(new Use(token, "team/app", "git:read", ip, "success"));
            }
        }
        AtomicBoolean running = new AtomicBoolean(true);
        Thread flusher = new Thread(() -> {
            while (running.get()) {
                c.flushDue(flushed);
            }
        });
        flusher.start();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int offset = t;
            done.add(pool.submit(() -> {
                go.await();
                for (int i = 0; i < perThread; i++) {
                    Use key = keys.get((i + offset) % keys.size());
                    // A fresh but equal key each time, as each request builds its own.
                    c.add(new Use(key.token(), key.repo(), key.operation(), key.clientIp(), key.outcome()), null, overflow);
                }
                return null;
            }));
        }
        go.countDown();
        for (Future<?> f : done) {
            f.get();
        }
        pool.shutdown();
        running.set(false);
        flusher.join();
        c.flushAll(flushed);

        assertThat(flushed.total() + overflow.total()).isEqualTo((long) threads * perThread);
        Map<Use, Long> byKey = new HashMap<>();
        for (Fold f : flushed.all) {
            byKey.merge(f.key(), f.count(), Long::sum);
        }
        for (Fold f : overflow.all) {
            byKey.merge(f.key(), f.count(), Long::sum);
        }
        Map<Use, Long> expected = new HashMap<>();
        for (int t = 0; t < threads; t++) {
            for (int i = 0; i < perThread; i++) {
                expected.merge(keys.get((i + t) % keys.size()), 1L, Long::sum);
            }
        }
        assertThat(byKey).isEqualTo(expected);
        assertThat(flushed.all.size() + overflow.all.size()).as("folds, fewer than uses").isGreaterThan(1);
        assertThat(c.openKeys()).isZero();
    }
}
