package dev.keyward.verification;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyward.contract.ApiKeyFormat;
import dev.keyward.contract.Introspection;
import dev.keyward.contract.Permission;
import dev.keyward.contract.RefusalReason;
import dev.keyward.contract.TokenKind;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Rate limits per token (dev below prod) and per client address for failed authentications. */
class RequestRateLimiterTest {

    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T10:00:00Z"));
    private final RequestRateLimiter limiter = RequestRateLimiter.of(new RequestRateLimiter.Settings(
            new RequestRateLimiter.Limit(10, 20), new RequestRateLimiter.Limit(2, 5), new RequestRateLimiter.Limit(1, 3), 1000), nanos::get);

    private final String prodKey = ApiKeyFormat.generate(ApiKeyFormat.Environment.PROD, TokenKind.REPO);
    private final String devKey = ApiKeyFormat.generate(ApiKeyFormat.Environment.DEV, TokenKind.REPO);
    private final AtomicInteger introspections = new AtomicInteger();
    private final TokenVerifier verifier = VerifierSettings.defaults().build(k -> {
        introspections.incrementAndGet();
        if (k.equals(prodKey) || k.equals(devKey)) {
            String env = k.equals(prodKey) ? "prod" : "dev";
            return CompletableFuture.completedFuture(new Introspection(true, null, "tok_" + env, "acme", "user-1", "repo", env,
                    Map.of("repos:*", List.of("git:read")), ApiKeyFormat.prefixOf(k), null, List.of()));
        }
        return CompletableFuture.completedFuture(Introspection.inactive("unknown"));
    }, org -> CompletableFuture.completedFuture(List.of()), clock, limiter);

    private Verification verify(String token, String ip) {
        return verifier.verify(PresentedCredential.extract("Bearer " + token, null), ip).toCompletableFuture().join();
    }

    private static RefusalReason reasonOf(Verification v) {
        return v instanceof Verification.Refused r ? r.reason() : null;
    }

    @Test
    void devTokensGetALowerLimitThanProdTokens() {
        long prodAllowed = IntStream.range(0, 50).mapToObj(i -> verify(prodKey, "10.0.0.1")).filter(v -> reasonOf(v) == null).count();
        long devAllowed = IntStream.range(0, 50).mapToObj(i -> verify(devKey, "10.0.0.1")).filter(v -> reasonOf(v) == null).count();
        assertThat(prodAllowed).isEqualTo(20);
        assertThat(devAllowed).isEqualTo(5);

        Verification.Refused limited = (Verification.Refused) verify(devKey, "10.0.0.1");
        assertThat(limited.reason()).isEqualTo(RefusalReason.RATE_LIMITED);
        assertThat(limited.retryAfter()).isEqualTo(Duration.ofSeconds(1));
        assertThat(limited.tokenId()).isEqualTo("tok_dev");
        assertThat(limited.keyPrefix()).isEqualTo(ApiKeyFormat.prefixOf(devKey));
        assertThat(limited.message()).doesNotContain(devKey);
        assertThat(RefusalReason.RATE_LIMITED.httpStatus()).isEqualTo(429);

        // Half a second refills one dev request (2/s), not two.
        nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(500));
        assertThat(reasonOf(verify(devKey, "10.0.0.1"))).isNull();
        assertThat(reasonOf(verify(devKey, "10.0.0.1"))).isEqualTo(RefusalReason.RATE_LIMITED);
        // Another token is not affected by the first one's use.
        String otherProd = ApiKeyFormat.generate(ApiKeyFormat.Environment.PROD, TokenKind.REPO);
        assertThat(reasonOf(verify(otherProd, "10.0.0.1"))).isEqualTo(RefusalReason.UNKNOWN);
    }

    @Test
    void failedAuthenticationsBlockTheAddressBeforeAnyLookup() {
        for (int i = 0; i < 3; i++) {
            String guess = ApiKeyFormat.generate(ApiKeyFormat.Environment.PROD, TokenKind.ORG);
            assertThat(reasonOf(verify(guess, "203.0.113.9"))).isEqualTo(RefusalReason.UNKNOWN);
        }
        int lookups = introspections.get();
        Verification.Refused blocked = (Verification.Refused) verify(ApiKeyFormat.generate(ApiKeyFormat.Environment.PROD, TokenKind.ORG), "203.0.113.9");
        assertThat(blocked.reason()).isEqualTo(RefusalReason.RATE_LIMITED);
        assertThat(blocked.retryAfter()).isEqualTo(Duration.ofSeconds(1));
        // Even a good key is refused from the blocked address, and nothing reached the token service.
        assertThat(reasonOf(verify(prodKey, "203.0.113.9"))).isEqualTo(RefusalReason.RATE_LIMITED);
        assertThat(introspections.get()).isEqualTo(lookups);
        // Malformed headers count as failures too; anonymous requests do not.
        assertThat(reasonOf(verify(prodKey, "203.0.113.10"))).isNull();
        for (int i = 0; i < 3; i++) {
            assertThat(reasonOf(verifier.verify(PresentedCredential.extract("Digest x", null), "203.0.113.10").toCompletableFuture().join()))
                    .isEqualTo(RefusalReason.MALFORMED);
        }
        assertThat(reasonOf(verify(prodKey, "203.0.113.10"))).isEqualTo(RefusalReason.RATE_LIMITED);
        for (int i = 0; i < 10; i++) {
            assertThat(reasonOf(verifier.verify(PresentedCredential.extract(null, null), "203.0.113.11").toCompletableFuture().join()))
                    .isEqualTo(RefusalReason.MISSING);
        }
        assertThat(reasonOf(verify(prodKey, "203.0.113.11"))).isNull();
        // Other addresses are unaffected, and the budget refills at the configured rate.
        assertThat(reasonOf(verify(prodKey, "203.0.113.12"))).isNull();
        nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(1001));
        assertThat(reasonOf(verify(prodKey, "203.0.113.9"))).isNull();
    }

    @Test
    void blockedAttemptsStillEmitAuthFailed() {
        List<String[]> published = new java.util.concurrent.CopyOnWriteArrayList<>();
        UseEvents events = new UseEvents() {
            @Override
            public void used(VerifiedPrincipal principal, String operation, String repo, String clientIp, String outcome,
                             RefusalReason reason) {
                published.add(new String[] {"token:used", clientIp, reason == null ? null : reason.wireName()});
            }

            @Override
            public void pushed(VerifiedPrincipal principal, String operation, String repo, String clientIp, String outcome,
                               RefusalReason reason, List<RefUpdate> refs) {
                published.add(new String[] {"token:used", clientIp, reason == null ? null : reason.wireName()});
            }

            @Override
            public void authFailed(Verification.Refused refusal, String operation, String repo, String clientIp, String orgHint) {
                published.add(new String[] {"auth:failed", clientIp, refusal.reason().wireName()});
            }
        };
        RequestAuthorizer authorizer = new RequestAuthorizer(verifier, events);
        Access access = Access.repoOf("acme", Permission.GIT_READ, "team/app");
        for (int i = 0; i < 5; i++) {
            authorizer.authorize(PresentedCredential.extract("Bearer " + ApiKeyFormat.generate(ApiKeyFormat.Environment.PROD, TokenKind.ORG), null),
                    "198.51.100.7", access).toCompletableFuture().join();
        }
        assertThat(published).hasSize(5).allSatisfy(e -> {
            assertThat(e[0]).isEqualTo("auth:failed");
            assertThat(e[1]).isEqualTo("198.51.100.7");
        });
        assertThat(published).extracting(e -> e[2]).containsExactly("unknown", "unknown", "unknown", "rate_limited", "rate_limited");
    }

    @Test
    void concurrentUseAdmitsExactlyTheBurstWithoutLocks() throws Exception {
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        RateBuckets buckets = new RateBuckets(new RequestRateLimiter.Limit(1, 500), 10, nanos::get);
        CyclicBarrier start = new CyclicBarrier(threads);
        try {
            List<Future<Integer>> admitted = IntStream.range(0, threads).mapToObj(t -> pool.submit(() -> {
                start.await();
                int n = 0;
                for (int i = 0; i < 1000; i++) {
                    if (buckets.acquire("tok_shared") == 0) {
                        n++;
                    }
                }
                return n;
            })).toList();
            int total = 0;
            for (Future<Integer> f : admitted) {
                total += f.get(30, TimeUnit.SECONDS);
            }
            assertThat(total).isEqualTo(500);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void idleKeysAreSweptAndTheBoundHolds() {
        RateBuckets buckets = new RateBuckets(new RequestRateLimiter.Limit(1, 1), 3, nanos::get);
        for (String key : List.of("a", "b", "c")) {
            assertThat(buckets.acquire(key)).isZero();
        }
        // Full: a new key is admitted but not tracked while the others are busy.
        assertThat(buckets.acquire("d")).isZero();
        assertThat(buckets.acquire("d")).isZero();
        assertThat(buckets.trackedKeys()).isEqualTo(3);
        // Once they are idle again (their whole burst is back) they make room.
        nanos.addAndGet(TimeUnit.SECONDS.toNanos(2));
        assertThat(buckets.acquire("d")).isZero();
        assertThat(buckets.trackedKeys()).isEqualTo(1);
        assertThat(buckets.acquire("d")).isPositive();
    }

    @Test
    void aFloodOfNewKeysSweepsAtMostOnceASecond() {
        RateBuckets buckets = new RateBuckets(new RequestRateLimiter.Limit(10, 1), 2, nanos::get);
        buckets.acquire("a");
        buckets.acquire("b");
        nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(200));
        buckets.acquire("c"); // full: sweeps the idle a and b
        buckets.acquire("d");
        assertThat(buckets.trackedKeys()).isEqualTo(2);
        nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(300));
        // c and d are idle, but the last sweep was 0.3 s ago: e is admitted untracked, nothing is walked.
        assertThat(buckets.acquire("e")).isZero();
        assertThat(buckets.trackedKeys()).isEqualTo(2);
        nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(800));
        assertThat(buckets.acquire("f")).isZero(); // a second later: swept, f tracked
        assertThat(buckets.trackedKeys()).isEqualTo(1);
    }

    @Test
    void limitsRaisedFarStayPositive() {
        RateBuckets huge = new RateBuckets(new RequestRateLimiter.Limit(0.000001, Integer.MAX_VALUE), 10, nanos::get);
        for (int i = 0; i < 1000; i++) {
            assertThat(huge.acquire("k")).isZero();
        }
    }

    @Test
    void theUnlimitedLimiterChangesNothing() {
        RequestRateLimiter none = RequestRateLimiter.unlimited();
        assertThat(none.admitClient("10.0.0.1")).isNull();
        Verification v = Verification.refused(RefusalReason.UNKNOWN, "x");
        for (int i = 0; i < 100; i++) {
            assertThat(none.account(v, "10.0.0.1")).isSameAs(v);
        }
        assertThat(none.admitClient("10.0.0.1")).isNull();
    }

    @Test
    void theObserverHearsEveryOutcomeTheLimitsIncludedButNotAMissingCredential() {
        List<RefusalReason> heard = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<Long> took = new java.util.concurrent.CopyOnWriteArrayList<>();
        TokenVerifier observed = verifier.observedBy((result, nanos) -> {
            heard.add(reasonOf(result));
            took.add(nanos);
        });

        for (int i = 0; i < 6; i++) {
            observed.verify(PresentedCredential.extract("Bearer " + devKey, null), "10.0.0.1").toCompletableFuture().join();
        }
        observed.verify(PresentedCredential.extract(null, null), "10.0.0.1").toCompletableFuture().join();

        // Five within the dev burst, the sixth refused by the limit; nothing for the request without a credential.
        assertThat(heard).hasSize(6).containsOnlyOnce(RefusalReason.RATE_LIMITED);
        assertThat(heard.subList(0, 5)).containsOnlyNulls();
        assertThat(took).allMatch(n -> n >= 0);
        // The unobserved verifier shares the observed one's limits: the token is still over its rate there.
        assertThat(reasonOf(verify(devKey, "10.0.0.1"))).isEqualTo(RefusalReason.RATE_LIMITED);
    }
}
