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
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ApiKeyVerifierTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T10:00:00Z"));
    private final Registry registry = new Registry();
    private TokenVerifier verifier;

    /** Issued keys in memory, the way token-service would answer, counting introspections. */
    final class Registry implements TokenIntrospector {
        final Map<String, Introspection> byKey = new ConcurrentHashMap<>();
        final AtomicInteger calls = new AtomicInteger();
        volatile boolean down;

        @Override
        public CompletionStage<Introspection> introspect(String apiKey) {
            calls.incrementAndGet();
            if (down) {
                return CompletableFuture.failedFuture(new IllegalStateException("connection refused"));
            }
            return CompletableFuture.completedFuture(byKey.getOrDefault(apiKey, Introspection.inactive("unknown")));
        }

        String issue(String id, Map<String, List<String>> scopes, Instant expiresAt, List<String> cidrs) {
            String key = ApiKeyFormat.generate(ApiKeyFormat.Environment.PROD, TokenKind.ORG);
            byKey.put(key, new Introspection(true, null, id, "acme", "user-1", "org", "prod", scopes,
                    ApiKeyFormat.prefixOf(key), expiresAt, cidrs));
            return key;
        }

        void revoke(String key) {
            byKey.put(key, Introspection.inactive("revoked"));
        }
    }

    @BeforeEach
    void setUp() {
        verifier = VerifierSettings.defaults().build(registry, org -> CompletableFuture.completedFuture(List.of()), clock);
    }

    private Verification verify(String key, String ip) {
        return verifier.verify(key, ip).toCompletableFuture().join();
    }

    @Test
    void badShapesAndChecksumsAreRefusedWithoutIntrospection() {
        String key = ApiKeyFormat.generate(ApiKeyFormat.Environment.DEV, TokenKind.REPO);
        char last = key.charAt(key.length() - 1);
        String typo = key.substring(0, key.length() - 1) + (last == 'a' ? 'b' : 'a');

        Verification.Refused r = (Verification.Refused) verify(typo, null);
        assertThat(r.reason()).isEqualTo(RefusalReason.BAD_CHECKSUM);
        assertThat(r.keyPrefix()).isEqualTo(ApiKeyFormat.prefixOf(key));
        assertThat(r.message()).doesNotContain(typo);
        assertThat(((Verification.Refused) verify("kw_prod_x_short", null)).reason()).isEqualTo(RefusalReason.MALFORMED);
        assertThat(registry.calls.get()).isZero();
    }

    @Test
    void activeKeysBecomePrincipalsAndAreCachedBriefly() {
        String key = registry.issue("tok_1", Map.of("repos:team/*", List.of("git:write")), Instant.parse("2026-06-01T00:00:00Z"), List.of());
        VerifiedPrincipal p = ((Verification.Verified) verify(key, "10.0.0.1")).principal();
        assertThat(p.tokenId()).isEqualTo("tok_1");
        assertThat(p.org()).isEqualTo("acme");
        assertThat(p.keyPrefix()).isEqualTo(ApiKeyFormat.prefixOf(key));
        assertThat(p.allowsRepo(Permission.GIT_READ, "team/x")).isTrue();
        assertThat(p.form()).isEqualTo(CredentialForm.API_KEY);

        verify(key, "10.0.0.1");
        assertThat(registry.calls.get()).isEqualTo(1);
        clock.advance(Duration.ofMillis(760));
        verify(key, "10.0.0.1");
        assertThat(registry.calls.get()).as("the cache lives at most 750 ms").isEqualTo(2);
    }

    @Test
    void revocationEventEvictsAtOnceAndTtlBoundsTheRest() {
        String key = registry.issue("tok_2", Map.of("repos:*", List.of("git:read")), null, List.of());
        assertThat(verify(key, null)).isInstanceOf(Verification.Verified.class);
        registry.revoke(key);
        assertThat(verify(key, null)).as("still cached").isInstanceOf(Verification.Verified.class);
        verifier.evictToken("tok_2");
        assertThat(((Verification.Refused) verify(key, null)).reason()).isEqualTo(RefusalReason.REVOKED);

        String other = registry.issue("tok_3", Map.of("repos:*", List.of("git:read")), null, List.of());
        verify(other, null);
        registry.revoke(other);
        clock.advance(Duration.ofMillis(999));
        assertThat(((Verification.Refused) verify(other, null)).reason()).as("no event: TTL alone, within 1 s").isEqualTo(RefusalReason.REVOKED);
    }

    @Test
    void cacheNeverOutlivesTheKeyExpiry() {
        String key = registry.issue("tok_4", Map.of("repos:*", List.of("git:read")), clock.instant().plusMillis(300), List.of());
        assertThat(verify(key, null)).isInstanceOf(Verification.Verified.class);
        clock.advance(Duration.ofMillis(301));
        assertThat(((Verification.Refused) verify(key, null)).reason()).isEqualTo(RefusalReason.EXPIRED);
    }

    @Test
    void cidrAllowlistIsEnforcedOnEveryUse() {
        String key = registry.issue("tok_5", Map.of("repos:*", List.of("git:read")), null, List.of("10.0.0.0/8", "2001:db8::/32"));
        assertThat(verify(key, "10.2.3.4")).isInstanceOf(Verification.Verified.class);
        assertThat(verify(key, "2001:db8::7")).isInstanceOf(Verification.Verified.class);
        Verification.Refused r = (Verification.Refused) verify(key, "192.168.0.1");
        assertThat(r.reason()).isEqualTo(RefusalReason.CIDR);
        assertThat(r.tokenId()).isEqualTo("tok_5");
        assertThat(((Verification.Refused) verify(key, null)).reason()).isEqualTo(RefusalReason.CIDR);
    }

    @Test
    void tokenServiceOutageIsUnavailableAndNotCached() {
        String key = registry.issue("tok_6", Map.of("repos:*", List.of("git:read")), null, List.of());
        registry.down = true;
        assertThat(((Verification.Refused) verify(key, null)).reason()).isEqualTo(RefusalReason.UNAVAILABLE);
        registry.down = false;
        assertThat(verify(key, null)).isInstanceOf(Verification.Verified.class);
    }

    @Test
    void unknownKeysAreRememberedOnlyBriefly() {
        String unknown = ApiKeyFormat.generate(ApiKeyFormat.Environment.PROD, TokenKind.ORG);
        assertThat(((Verification.Refused) verify(unknown, null)).reason()).isEqualTo(RefusalReason.UNKNOWN);
        verify(unknown, null);
        assertThat(registry.calls.get()).isEqualTo(1);
        clock.advance(Duration.ofMillis(501));
        verify(unknown, null);
        assertThat(registry.calls.get()).isEqualTo(2);
    }

    @Test
    void cacheIsBounded() {
        VerificationCache cache = new VerificationCache(100, clock);
        for (int i = 0; i < 1000; i++) {
            cache.put("token-" + i, Verification.refused(RefusalReason.UNKNOWN, "x"), null, clock.instant().plusSeconds(5));
        }
        assertThat(cache.size()).isLessThanOrEqualTo(100);
        assertThat(cache.get("token-999")).isPresent();
    }

    @Test
    void concurrentMissesOfOneKeyShareOneIntrospection() {
        String key = ApiKeyFormat.generate(ApiKeyFormat.Environment.PROD, TokenKind.REPO);
        CompletableFuture<Introspection> answer = new CompletableFuture<>();
        AtomicInteger calls = new AtomicInteger();
        TokenVerifier slow = VerifierSettings.defaults().build(k -> {
            calls.incrementAndGet();
            return answer;
        }, org -> CompletableFuture.completedFuture(List.of()), clock);

        List<CompletableFuture<Verification>> waiting = List.of(slow.verify(key, null).toCompletableFuture(),
                slow.verify(key, null).toCompletableFuture(), slow.verify(key, null).toCompletableFuture());
        assertThat(waiting).noneMatch(CompletableFuture::isDone);
        answer.complete(new Introspection(true, null, "tok_7", "acme", "user-1", "repo", "prod",
                Map.of("repos:*", List.of("git:read")), ApiKeyFormat.prefixOf(key), null, List.of()));

        assertThat(waiting).allSatisfy(f -> assertThat(f.join()).isInstanceOf(Verification.Verified.class));
        assertThat(slow.verify(key, null).toCompletableFuture().join()).isInstanceOf(Verification.Verified.class);
        assertThat(calls.get()).isEqualTo(1);
        clock.advance(Duration.ofMillis(751));
        slow.verify(key, null).toCompletableFuture().join();
        assertThat(calls.get()).isEqualTo(2);
    }
}
