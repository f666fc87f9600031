package dev.keyward.verification;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Verifies opaque API keys: the format and checksum first (no I/O, so typos and scanners' probes
 * cost nothing), then introspection, with results cached briefly by key hash. The positive TTL
 * bounds how long a revoked key can still work on a replica that missed the revocation event.
 */
public final class ApiKeyVerifier {

    private final TokenIntrospector introspector;
    private final VerificationCache cache;
    private final Duration ttl;
    private final Duration negativeTtl;
    private final Clock clock;

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
        String prefix = ApiKeyFormat.prefixOf(key);
        Optional<Verification> cached = cache.get(key);
        if (cached.isPresent()) {
            return CompletableFuture.completedFuture(cached.get());
        }
        CompletionStage<Introspection> answer;
        try {
            answer = introspector.introspect(key);
        } catch (RuntimeException e) {
            answer = CompletableFuture.failedFuture(e);
        }
        return answer.handle((introspection, failure) -> {
            if (failure != null || introspection == null) {
                return Verification.refused(RefusalReason.UNAVAILABLE, "token service is unavailable").withKeyPrefix(prefix);
            }
            Verification result = toVerification(introspection, prefix);
            Instant now = clock.instant();
            if (result instanceof Verification.Verified v) {
                Instant until = now.plus(ttl);
                Instant expiresAt = v.principal().expiresAt();
                cache.put(key, result, v.principal().tokenId(), expiresAt != null && expiresAt.isBefore(until) ? expiresAt : until);
            } else if (((Verification.Refused) result).reason() != RefusalReason.UNAVAILABLE) {
                cache.put(key, result, null, now.plus(negativeTtl));
            }
            return result;
        });
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
                    CredentialForm.API_KEY));
        } catch (IllegalArgumentException e) {
            // An answer we cannot read is the token service's fault, not the caller's.
            return Verification.refused(RefusalReason.UNAVAILABLE, "token service gave an unusable answer").withKeyPrefix(prefix);
        }
    }
}
