package dev.keyward.verification;

import dev.keyward.contract.ApiKeyFormat;
import dev.keyward.contract.OrgRules;
import dev.keyward.contract.RefusalReason;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The one entry point for verifying any presented token: routes API keys and JWTs (customer-signed
 * and exchanged) to their verifiers, refuses tokens of suspended orgs and revoked exchanged tokens,
 * and applies the token's CIDR allowlist. Authorization (which permission on which
 * resource) is the caller's next step, with {@link VerifiedPrincipal#allowsRepo} and
 * {@link VerifiedPrincipal#allowsOrg}. Never blocks: completes when introspection or a key fetch
 * does.
 */
public final class TokenVerifier {

    private final ApiKeyVerifier apiKeys;
    private final JwtVerifier jwts;
    private final VerificationCache apiKeyCache;
    private final VerificationCache jwtCache;
    private final RequestRateLimiter limiter;
    private final OrgRulesCache orgs;

    /** Built by {@link VerifierSettings#build}. */
    TokenVerifier(ApiKeyVerifier apiKeys, VerificationCache apiKeyCache, JwtVerifier jwts, VerificationCache jwtCache,
                         RequestRateLimiter limiter, OrgRulesCache orgs) {
        this.apiKeys = apiKeys;
        this.jwts = jwts;
        this.apiKeyCache = apiKeyCache;
        this.jwtCache = jwtCache;
        this.limiter = limiter;
        this.orgs = orgs;
    }

    /** The rules of every org as this verifier knows them (state, rate limits, JWT lifetime, notice days). */
    public OrgRulesCache orgs() {
        return orgs;
    }

    /**
     * Verifies the credential of a request (see {@link PresentedCredential#extract}), within the
     * {@link RequestRateLimiter rate limits}: a client over its failed-authentication budget is
     * refused before its token is looked at; a token used too fast is refused after.
     */
    public CompletionStage<Verification> verify(PresentedCredential credential, String clientIp) {
        if (!credential.isPresent() && credential.refusal().reason() == RefusalReason.MISSING) {
            return CompletableFuture.completedFuture(credential.refusal());
        }
        Verification.Refused wait = limiter.admitClient(clientIp);
        if (wait != null) {
            return CompletableFuture.completedFuture(wait);
        }
        CompletionStage<Verification> result = credential.isPresent()
                ? verify(credential.token(), clientIp) : CompletableFuture.completedFuture(credential.refusal());
        return limiter.isUnlimited() ? result : result.thenApply(v -> limiter.account(v, clientIp,
                v instanceof Verification.Verified ok ? orgs.of(ok.principal().org()).rateLimits() : null));
    }

    /**
     * Verifies a raw token presented from {@code clientIp} (an IP literal; null when unknown, which
     * fails any allowlist).
     */
    public CompletionStage<Verification> verify(String token, String clientIp) {
        CompletionStage<Verification> result;
        if (token == null || token.isEmpty()) {
            result = CompletableFuture.completedFuture(Verification.refused(RefusalReason.MISSING, "credentials are required"));
        } else if (ApiKeyFormat.looksLikeApiKey(token)) {
            result = apiKeys.verify(token);
        } else if (isJwtShaped(token)) {
            result = jwts.verify(token);
        } else {
            result = CompletableFuture.completedFuture(Verification.refused(RefusalReason.MALFORMED,
                    "token is neither a Keyward API key nor a JWT"));
        }
        // Applied to cached results too: a suspension, a revocation or a fence holds from the next request on.
        return result.thenApply(v -> {
            if (v instanceof Verification.Verified ok) {
                VerifiedPrincipal p = ok.principal();
                OrgRules rules = orgs.of(p.org());
                if (rules.refused()) {
                    return Verification.refused(RefusalReason.ORG_SUSPENDED, "the token's org is suspended")
                            .withKeyPrefix(p.keyPrefix()).withOrg(p.org()).withTokenId(p.tokenId());
                }
                // Exchanged tokens are verified offline: their revocation (by jti or trust policy) lives in the org's rules.
                if (p.form() == CredentialForm.EXCHANGED && rules.revokesExchange(p.trustPolicy(), p.tokenId())) {
                    return Verification.refused(RefusalReason.REVOKED, "the token was revoked")
                            .withKeyPrefix(p.keyPrefix()).withOrg(p.org()).withTokenId(p.tokenId());
                }
                if (!p.allowsClient(clientIp)) {
                    return Verification.refused(RefusalReason.CIDR, "the client address is not allowed for this token")
                            .withKeyPrefix(p.keyPrefix()).withOrg(p.org()).withTokenId(p.tokenId());
                }
            }
            return v;
        });
    }

    /** Exactly two dots (header.payload.signature); a loop, as this runs on every request. */
    private static boolean isJwtShaped(String token) {
        int first = token.indexOf('.');
        int second = first < 0 ? -1 : token.indexOf('.', first + 1);
        return second > 0 && token.indexOf('.', second + 1) < 0;
    }

    /** Forgets cached results of a token, on {@code token:revoked} and {@code token:rotated}. */
    public void evictToken(String tokenId) {
        apiKeyCache.evictToken(tokenId);
        jwtCache.evictToken(tokenId);
    }

    /** Forgets every cached result. */
    public void evictAll() {
        apiKeyCache.clear();
        jwtCache.clear();
    }
}
