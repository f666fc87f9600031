package dev.keyward.verification;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyward.contract.ApiKeyFormat;
import dev.keyward.contract.Introspection;
import dev.keyward.contract.OrgRules;
import dev.keyward.contract.RefusalReason;
import dev.keyward.contract.Scopes;
import dev.keyward.contract.TokenKind;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Every org's rules as the verifier applies them: suspension, per-org rate limits, and a full read that never undoes an event. */
class OrgRulesTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T10:00:00Z"));

    /** A source whose answer the test releases when it wants. */
    private static final class ManualSource implements OrgRulesSource {
        final AtomicReference<CompletableFuture<Map<String, OrgRules>>> pending = new AtomicReference<>();

        @Override
        public CompletableFuture<Map<String, OrgRules>> all() {
            CompletableFuture<Map<String, OrgRules>> next = new CompletableFuture<>();
            pending.set(next);
            return next;
        }
    }

    private static Introspection active(String key, String org) {
        return new Introspection(true, null, "tok_1", org, "user-1", "org", "prod",
                Map.of("org", List.of("org:read")), ApiKeyFormat.prefixOf(key), null, List.of());
    }

    @Test
    void aSuspendedOrgsKeyIsRefusedEvenFromTheCacheAndWorksAgainOnResume() {
        String key = ApiKeyFormat.generate(ApiKeyFormat.Environment.PROD, TokenKind.ORG);
        OrgRulesCache orgs = new OrgRulesCache(new ManualSource());
        TokenVerifier verifier = VerifierSettings.defaults().build(k -> CompletableFuture.completedFuture(active(key, "acme")),
                org -> CompletableFuture.completedFuture(List.of()), clock, RequestRateLimiter.unlimited(), orgs);

        assertThat(verifier.verify(key, "10.0.0.1").toCompletableFuture().join()).isInstanceOf(Verification.Verified.class);
        orgs.stateChanged("acme", OrgRules.SUSPENDED);
        Verification refused = verifier.verify(key, "10.0.0.1").toCompletableFuture().join();
        assertThat(((Verification.Refused) refused).reason()).isEqualTo(RefusalReason.ORG_SUSPENDED);
        assertThat(RefusalReason.ORG_SUSPENDED.httpStatus()).isEqualTo(403);
        orgs.stateChanged("acme", OrgRules.ACTIVE);
        assertThat(verifier.verify(key, "10.0.0.1").toCompletableFuture().join()).isInstanceOf(Verification.Verified.class);
    }

    @Test
    void aFullReadThatBeganBeforeAnEventDoesNotUndoIt() {
        ManualSource source = new ManualSource();
        OrgRulesCache orgs = new OrgRulesCache(source);
        orgs.refresh();
        CompletableFuture<Map<String, OrgRules>> stale = source.pending.get();
        orgs.stateChanged("acme", OrgRules.SUSPENDED); // the event arrives while the read is under way
        stale.complete(Map.of("acme", OrgRules.DEFAULT, "blue", OrgRules.DEFAULT.withState(OrgRules.SUSPENDED)));
        assertThat(orgs.of("acme").refused()).as("the stale read keeps the event's state").isTrue();
        assertThat(orgs.of("blue").refused()).isTrue();
        assertThat(orgs.loaded()).isTrue();
        // The read that follows the event (queued while the first ran) is the truth from then on.
        source.pending.get().complete(Map.of("acme", OrgRules.DEFAULT));
        orgs.refresh();
        source.pending.get().complete(Map.of("acme", OrgRules.DEFAULT));
        assertThat(orgs.of("acme").refused()).isFalse();
        assertThat(orgs.of("blue").refused()).isFalse();
    }

    @Test
    void anUpdateAppliesAtOnceAndOutlivesAReadThatBeganBeforeIt() {
        ManualSource source = new ManualSource();
        OrgRulesCache orgs = new OrgRulesCache(source);
        orgs.refresh();
        CompletableFuture<Map<String, OrgRules>> stale = source.pending.get();
        orgs.update("acme", r -> r.withRevokedToken("xtok_one"));
        assertThat(orgs.of("acme").revokesExchange("tp_a", "xtok_one")).isTrue();
        orgs.update("acme", r -> r.withRevokedTrustPolicy("tp_b"));
        assertThat(orgs.of("acme").revokesExchange("tp_b", "xtok_other")).as("both changes kept").isTrue();
        assertThat(orgs.of("acme").revokesExchange("tp_a", "xtok_one")).isTrue();

        stale.complete(Map.of("acme", OrgRules.DEFAULT));
        assertThat(orgs.of("acme").revokesExchange("tp_a", "xtok_one")).as("the stale read keeps the event's change").isTrue();
        // The read queued behind the updates is the truth from then on (token-service lists what it revoked).
        source.pending.get().complete(Map.of("acme", OrgRules.DEFAULT.withRevokedToken("xtok_one")));
        assertThat(orgs.of("acme").revokesExchange("tp_a", "xtok_one")).isTrue();
        assertThat(orgs.of("acme").revokesExchange("tp_b", "xtok_other")).isFalse();
    }

    @Test
    void anOrgsOwnRateLimitReplacesTheServiceDefault() {
        AtomicLong nanos = new AtomicLong();
        RequestRateLimiter limiter = RequestRateLimiter.of(new RequestRateLimiter.Settings(
                new RequestRateLimiter.Limit(100, 1000), new RequestRateLimiter.Limit(100, 1000),
                new RequestRateLimiter.Limit(1, 30), 1000), nanos::get);
        String key = ApiKeyFormat.generate(ApiKeyFormat.Environment.PROD, TokenKind.ORG);
        Verification ok = Verification.verified(new VerifiedPrincipal("acme", "user-1", "tok_1", TokenKind.ORG,
                Scopes.parse(Map.of("org", List.of("org:read"))), null, ApiKeyFormat.prefixOf(key), List.of(),
                CredentialForm.API_KEY, null));
        OrgRules.RateLimits slow = new OrgRules.RateLimits(1, 1); // burst of ten seconds: 10
        int allowed = 0;
        for (int i = 0; i < 50; i++) {
            allowed += limiter.account(ok, "10.0.0.1", slow) instanceof Verification.Verified ? 1 : 0;
        }
        assertThat(allowed).isEqualTo(10);
        // The same token under the service's defaults (another org without its own rates) is not held back.
        assertThat(limiter.account(ok, "10.0.0.1", null)).isInstanceOf(Verification.Verified.class);
        nanos.addAndGet(1_000_000_000L);
        assertThat(limiter.account(ok, "10.0.0.1", slow)).isInstanceOf(Verification.Verified.class);
    }
}
