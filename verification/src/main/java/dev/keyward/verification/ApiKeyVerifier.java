package dev.keyward.verification;

import dev.keyward.contract.ApiKeyFormat;
import dev.keyward.contract.CidrBlock;
import dev.keyward.contract.Digests;
import dev.keyward.contract.Introspection;
import dev.keyward.contract.RefusalReason;
import dev.keyward.contract.Scopes;
import dev.keyward.contract.TokenKind;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Verifies opaque API keys: the format and checksum first (no I/O, so typos and scanners' probes
 * cost nothing), then introspection, with results cached briefly by key hash. The positive TTL
 * bounds how long a revoked key can still work on a replica that missed the revocation event.
 * Concurrent misses of one key share one introspection, so a busy key whose entry just expired
 * costs token-service one call, not one per request in flight.
 */
public final class ApiKeyVerifier {

    private final TokenIntrospector introspector;
    private final VerificationCache cache;
    private final Duration ttl;
    private final Duration negativeTtl;
    private final Clock clock;
    /** Introspections under way, by key hash (never the key). */
    private final Map<String, CompletableFuture<Verification>> inFlight = new ConcurrentHashMap<>();

    public ApiKeyVerifier(TokenIntrospector introspector, VerificationCache cache, Duration ttl, Duration negativeTtl,
                          Clock clock) {
        this.introspector = introspector;
        this.cache = cache;
        this.ttl = ttl;
        this.negativeTtl = negativeTtl;
        this.clock = clock;
    }

    public CompletionStage<Verification> verify(String key) {
        Optional<ApiKeyFormat.Problem> problem = ApiKeyFormat.problemOf(key);
        if (problem.isPresent()) {
            Verification.Refused refused = problem.get() == ApiKeyFormat.Problem.BAD_CHECKSUM
                    ? Verification.refused(RefusalReason.BAD_CHECKSUM, "API key checksum does not match")
                    : Verification.refused(RefusalReason.MALFORMED, "not a Keyward API key");
            return CompletableFuture.completedFuture(
                    key.length() >= ApiKeyFormat.PREFIX_LENGTH ? refused.withKeyPrefix(ApiKeyFormat.prefixOf(key)) : refused);
        }
        Optional<Verification> cached = cache.get(key);
        if (cached.isPresent()) {
            return CompletableFuture.completedFuture(cached.get());
        }
        String keyHash = Digests.sha256Hex(key);
        CompletableFuture<Verification> mine = new CompletableFuture<>();
        // With no positive caching (token-service itself), every call asks afresh, joining none under way.
        CompletableFuture<Verification> running = ttl.isZero() ? null : inFlight.putIfAbsent(keyHash, mine);
        if (running != null) {
            return running.minimalCompletionStage();
        }
        String prefix = ApiKeyFormat.prefixOf(key);
        CompletionStage<Introspection> answer;
        try {
            answer = introspector.introspect(key);
        } catch (RuntimeException e) {
            answer = CompletableFuture.failedFuture(e);
        }
        answer.whenComplete((introspection, failure) -> {
            Verification result;
            try {
                result = failure != null || introspection == null
                        ? Verification.refused(RefusalReason.UNAVAILABLE, "token service is unavailable").withKeyPrefix(prefix)
                        : remember(key, toVerification(introspection, prefix));
            } catch (RuntimeException e) {
                result = Verification.refused(RefusalReason.UNAVAILABLE, "token service gave an unusable answer").withKeyPrefix(prefix);
            }
            // Cached before it leaves the in-flight map, so no request in between introspects again.
            inFlight.remove(keyHash, mine);
            mine.complete(result);
        });
        return mine.minimalCompletionStage();
    }

    private Verification remember(String key, Verification result) {
        Instant now = clock.instant();
        if (result instanceof Verification.Verified v) {
            Instant until = now.plus(ttl);
            Instant expiresAt = v.principal().expiresAt();
            cache.put(key, result, v.principal().tokenId(), expiresAt != null && expiresAt.isBefore(until) ? expiresAt : until);
        } else if (((Verification.Refused) result).reason() != RefusalReason.UNAVAILABLE) {
            cache.put(key, result, null, now.plus(negativeTtl));
        }
        return result;
    }

    private Verification toVerification(Introspection in, String prefix) {
        if (!in.active()) {
            RefusalReason reason = switch (in.reason() == null ? "" : in.reason()) {
                case "revoked" -> RefusalReason.REVOKED;
                case "expired" -> RefusalReason.EXPIRED;
                default -> RefusalReason.UNKNOWN;
            };
            return Verification.refused(reason, "API key is " + reason.wireName()).withKeyPrefix(prefix);
        }
        try {
            TokenKind kind = TokenKind.parse(in.kind()).orElseThrow(() -> new IllegalArgumentException("kind"));
            if (in.id() == null || in.org() == null) {
                throw new IllegalArgumentException("id/org");
            }
            if (in.expiresAt() != null && !clock.instant().isBefore(in.expiresAt())) {
                return Verification.refused(RefusalReason.EXPIRED, "API key is expired").withKeyPrefix(prefix)
                        .withOrg(in.org()).withTokenId(in.id());
            }
            List<CidrBlock> cidrs = new ArrayList<>();
            if (in.allowedCidrs() != null) {
                in.allowedCidrs().forEach(c -> cidrs.add(CidrBlock.parse(c)));
            }
            return Verification.verified(new VerifiedPrincipal(in.org(), in.subject(), in.id(), kind,
                    Scopes.parse(in.scopes()), in.expiresAt(), in.keyPrefix() != null ? in.keyPrefix() : prefix, cidrs,
                    CredentialForm.API_KEY, null));
        } catch (IllegalArgumentException e) {
            // An answer we cannot read is the token service's fault, not the caller's.
            return Verification.refused(RefusalReason.UNAVAILABLE, "token service gave an unusable answer").withKeyPrefix(prefix);
        }
    }
}
