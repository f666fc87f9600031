package dev.keyward.verification;

import dev.keyward.contract.ExchangedToken;
import java.time.Clock;
import java.time.Duration;

/**
 * The tunables of a {@link TokenVerifier}, with defaults chosen for the contract: a revoked key must
 * be refused everywhere within 1 s, so a cached API key result lives at most {@code apiKeyTtl}
 * (750 ms) even when the revocation event is late.
 *
 * @param apiKeyTtl          how long a verified API key is trusted without asking again
 * @param negativeTtl        how long a refusal is remembered (protects the token service from floods)
 * @param jwtCacheTtl        how long a verified JWT is trusted (never beyond its exp)
 * @param orgKeyTtl          how long an org's public keys (and Keyward's signing keys) are kept
 * @param kidRefreshInterval the least time between two refreshes of one org's keys (or Keyward's) on an unknown kid
 * @param maxCacheEntries    the bound of each cache
 */
public record VerifierSettings(Duration apiKeyTtl, Duration negativeTtl, Duration jwtCacheTtl, Duration orgKeyTtl,
                               Duration kidRefreshInterval, int maxCacheEntries) {

    public static VerifierSettings defaults() {
        return new VerifierSettings(Duration.ofMillis(750), Duration.ofMillis(500), Duration.ofSeconds(30),
                Duration.ofMinutes(5), Duration.ofSeconds(1), 10_000);
    }

    /** Builds a verifier over the two lookups with these settings. */
    public TokenVerifier build(TokenIntrospector introspector, OrgKeySource keySource, Clock clock) {
        return build(introspector, keySource, clock, RequestRateLimiter.unlimited());
    }

    /** Builds a verifier over the two lookups with these settings, within {@code limiter}'s rate limits. */
    public TokenVerifier build(TokenIntrospector introspector, OrgKeySource keySource, Clock clock, RequestRateLimiter limiter) {
        return build(introspector, keySource, clock, limiter, OrgRulesCache.defaults());
    }

    /**
     * Builds a verifier that also applies every org's {@link dev.keyward.contract.OrgRules} (suspension, rate limits,
     * JWT lifetime), with no Keyward signing keys (every exchanged token is refused).
     */
    public TokenVerifier build(TokenIntrospector introspector, OrgKeySource keySource, Clock clock, RequestRateLimiter limiter,
                               OrgRulesCache orgs) {
        return build(introspector, keySource, KeywardKeySource.none(), ExchangedToken.DEFAULT_ISSUER, clock, limiter, orgs);
    }

    /**
     * Builds a verifier that also accepts the tokens Keyward signs by token exchange.
     *
     * @param keywardKeys   Keyward's signing keys
     * @param keywardIssuer the {@code iss} of those tokens (configuration {@value ExchangedToken#ISSUER_PROPERTY})
     */
    public TokenVerifier build(TokenIntrospector introspector, OrgKeySource keySource, KeywardKeySource keywardKeys,
                               String keywardIssuer, Clock clock, RequestRateLimiter limiter, OrgRulesCache orgs) {
        VerificationCache apiKeyCache = new VerificationCache(maxCacheEntries, clock);
        VerificationCache jwtCache = new VerificationCache(maxCacheEntries, clock);
        ApiKeyVerifier apiKeys = new ApiKeyVerifier(introspector, apiKeyCache, apiKeyTtl, negativeTtl, clock);
        JwtVerifier jwts = new JwtVerifier(new OrgKeyCache(keySource, orgKeyTtl, kidRefreshInterval, clock),
                new OrgKeyCache(ignored -> keywardKeys.keywardKeys(), orgKeyTtl, kidRefreshInterval, clock), keywardIssuer,
                jwtCache, jwtCacheTtl, negativeTtl, clock, orgs);
        return new TokenVerifier(apiKeys, apiKeyCache, jwts, jwtCache, limiter, orgs);
    }
}
