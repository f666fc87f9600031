package dev.keyward.verification.quarkus;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyward.contract.ApiKeyFormat;
import dev.keyward.contract.Introspection;
import dev.keyward.contract.Permission;
import dev.keyward.contract.RefusalReason;
import dev.keyward.contract.TokenKind;
import dev.keyward.verification.Access;
import dev.keyward.verification.OrgRulesCache;
import dev.keyward.verification.PresentedCredential;
import dev.keyward.verification.RequestAuthorizer;
import dev.keyward.verification.RequestRateLimiter;
import dev.keyward.verification.Verification;
import dev.keyward.verification.TokenVerifier;
import dev.keyward.verification.VerifierSettings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The verifier's metrics count what the events say and time what the verifier did. */
class VerificationMetricsTest {

    private final Clock clock = Clock.fixed(Instant.parse("2026-03-01T10:00:00Z"), ZoneOffset.UTC);
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final VerificationMetrics metrics = new VerificationMetrics(registry);
    private final RecordingSink sink = new RecordingSink();
    private final VerificationEvents events = new VerificationEvents("/keyward/test", sink, 100, clock);
    private final String key = ApiKeyFormat.generate(ApiKeyFormat.Environment.DEV, TokenKind.REPO);
    // Dev tokens: 3 requests at once; failed authentications: 2 per address at once.
    private final RequestRateLimiter limiter = RequestRateLimiter.of(new RequestRateLimiter.Settings(
            new RequestRateLimiter.Limit(100, 100), new RequestRateLimiter.Limit(0.001, 3),
            new RequestRateLimiter.Limit(0.001, 2), 100));
    private final TokenVerifier verifier = VerifierSettings.defaults().build(
            k -> CompletableFuture.completedFuture(k.equals(key)
                    ? new Introspection(true, null, "tok_1", "acme", "user-1", "repo", "dev",
                    Map.of("repos:team/*", List.of("git:read")), ApiKeyFormat.prefixOf(k), null, List.of())
                    : Introspection.inactive("unknown")),
            org -> CompletableFuture.completedFuture(List.of()), clock, limiter, OrgRulesCache.defaults())
            .observedBy(metrics.timing());
    private final RequestAuthorizer authorizer = new RequestAuthorizer(verifier, metrics.counting(events));

    @AfterEach
    void close() {
        events.close();
    }

    private void decide(String token, String ip, Permission permission, String repo) {
        authorizer.authorize(PresentedCredential.extract(token == null ? null : "Bearer " + token, null), ip,
                Access.repoOf("acme", permission, repo)).toCompletableFuture().join();
    }

    private double decisions(String outcome, String reason) {
        var counter = registry.find(VerificationMetrics.DECISIONS).tags("outcome", outcome, "reason", reason).counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void decisionsAreCountedByOutcomeAndReasonAsTheirEvents() {
        decide(key, "10.0.0.1", Permission.GIT_READ, "team/app");
        decide(key, "10.0.0.1", Permission.GIT_WRITE, "team/app");
        decide(key, "10.0.0.1", Permission.GIT_READ, "team/app");
        decide(key, "10.0.0.1", Permission.GIT_READ, "team/app"); // the fourth within the burst of 3
        String unknown = ApiKeyFormat.generate(ApiKeyFormat.Environment.PROD, TokenKind.ORG);
        decide(unknown, "10.0.0.2", Permission.GIT_READ, "team/app");
        decide(unknown, "10.0.0.2", Permission.GIT_READ, "team/app");
        decide(unknown, "10.0.0.2", Permission.GIT_READ, "team/app"); // the address is over its budget
        decide(null, "10.0.0.3", Permission.GIT_READ, "team/app"); // anonymous: no event, no count

        assertThat(decisions("success", "none")).isEqualTo(2);
        assertThat(decisions("denied", "scope")).isEqualTo(1);
        assertThat(decisions("failure", "rate_limited")).isEqualTo(2);
        assertThat(decisions("failure", "unknown")).isEqualTo(2);
        assertThat(decisions("failure", "missing")).isZero();
        assertThat(registry.get(VerificationMetrics.RATE_LIMITED).tag("limit", "token").counter().count()).isEqualTo(1);
        assertThat(registry.get(VerificationMetrics.RATE_LIMITED).tag("limit", "client").counter().count()).isEqualTo(1);
        events.close();
        assertThat(sink.published).hasSize(7);
    }

    @Test
    void everyVerificationOfACredentialIsTimed() {
        decide(key, "10.0.0.1", Permission.GIT_READ, "team/app");
        decide(key, "10.0.0.1", Permission.GIT_WRITE, "team/app");
        decide(ApiKeyFormat.generate(ApiKeyFormat.Environment.PROD, TokenKind.ORG), "10.0.0.2", Permission.GIT_READ, "x/y");
        decide(null, "10.0.0.3", Permission.GIT_READ, "team/app");

        var verified = registry.get(VerificationMetrics.DURATION).tag("outcome", "verified").timer();
        var refused = registry.get(VerificationMetrics.DURATION).tag("outcome", "refused").timer();
        assertThat(verified.count()).isEqualTo(2);
        assertThat(refused.count()).isEqualTo(1);
        assertThat(verified.totalTime(TimeUnit.NANOSECONDS)).isPositive();
    }

    @Test
    void theGaugesShowEventsDroppedByAFullBuffer() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        VerificationEvents slow = new VerificationEvents("/keyward/test", (e, failures) -> release.await(10, TimeUnit.SECONDS),
                2, clock);
        try {
            metrics.watch(null, slow);
            for (int i = 0; i < 10; i++) {
                slow.authFailed(Verification.refused(RefusalReason.UNKNOWN, "x"), "git:read", null, "10.0.0.1", "acme");
            }

            // Of 10, the buffer holds 2 and the events thread took at most a buffer's worth (2) before its
            // sink blocked, depending on when it woke: at least 6 are dropped.
            assertThat(registry.get("keyward.verification.events.dropped").gauge().value()).isGreaterThanOrEqualTo(6)
                    .isEqualTo((double) slow.dropped());
            assertThat(registry.get("keyward.verification.events.pending").gauge().value()).isEqualTo(slow.pending());
            assertThat(registry.get("keyward.verification.events.spooled").gauge().value()).isZero();
        } finally {
            release.countDown();
            slow.close();
        }
    }
}
