package dev.keyward.contract;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.HashSet;
import java.util.Set;

/**
 * What every service's verifier must know of an org's policy (the body of one entry of
 * {@code GET /internal/orgs/rules}; docs/internal-contracts.md). The one record both sides bind.
 *
 * @param state                 {@code active}, {@code suspended} or {@code deleted}; anything but active refuses the org's credentials
 * @param rateLimits            requests per second per token by environment; null: the service's configured defaults
 * @param maxJwtLifetimeSeconds the longest {@code exp - iat} a customer-signed JWT of the org may have
 * @param noticeDays            how many days before its expiry a token gets the {@code Sunset} header
 * @param revokedTrustPolicies  trust policies deleted while tokens they allowed may still be alive:
 *                              every {@link ExchangedToken} naming one is refused
 * @param revokedTokens         {@code jti}s of exchanged tokens revoked one by one, until they expire
 */
public record OrgRules(@JsonProperty("state") String state,
                       @JsonProperty("rate_limits") RateLimits rateLimits,
                       @JsonProperty("max_jwt_lifetime") long maxJwtLifetimeSeconds,
                       @JsonProperty("notice_days") int noticeDays,
                       @JsonProperty("revoked_trust_policies") Set<String> revokedTrustPolicies,
                       @JsonProperty("revoked_tokens") Set<String> revokedTokens) {

    public static final String ACTIVE = "active";
    public static final String SUSPENDED = "suspended";
    public static final String DELETED = "deleted";
    /** The contract's defaults: active, the service's rate limits, 24 h JWTs, 14 days' notice. */
    public static final OrgRules DEFAULT = new OrgRules(ACTIVE, null, 86_400, 14);

    @JsonCreator
    public OrgRules {
        revokedTrustPolicies = revokedTrustPolicies == null ? Set.of() : Set.copyOf(revokedTrustPolicies);
        revokedTokens = revokedTokens == null ? Set.of() : Set.copyOf(revokedTokens);
    }

    /** An org's rules with no revoked exchanges. */
    public OrgRules(String state, RateLimits rateLimits, long maxJwtLifetimeSeconds, int noticeDays) {
        this(state, rateLimits, maxJwtLifetimeSeconds, noticeDays, Set.of(), Set.of());
    }

    /** Requests per second allowed per token of each environment. */
    public record RateLimits(@JsonProperty("prod") double prod, @JsonProperty("dev") double dev) {
    }

    /** Whether the org's credentials are refused (suspended or deleted). */
    public boolean refused() {
        return !ACTIVE.equals(state);
    }

    public OrgRules withState(String newState) {
        return new OrgRules(newState, rateLimits, maxJwtLifetimeSeconds, noticeDays, revokedTrustPolicies, revokedTokens);
    }

    /** Whether an exchanged token of this org, allowed by {@code trustPolicy} and named {@code jti}, was revoked. */
    public boolean revokesExchange(String trustPolicy, String jti) {
        return revokedTrustPolicies.contains(trustPolicy) || revokedTokens.contains(jti);
    }

    /** These rules with one more deleted trust policy (from its {@code policy:changed} event). */
    public OrgRules withRevokedTrustPolicy(String trustPolicy) {
        Set<String> more = new HashSet<>(revokedTrustPolicies);
        more.add(trustPolicy);
        return new OrgRules(state, rateLimits, maxJwtLifetimeSeconds, noticeDays, more, revokedTokens);
    }

    /** These rules with one more revoked exchanged token (from its {@code token:revoked} event). */
    public OrgRules withRevokedToken(String jti) {
        Set<String> more = new HashSet<>(revokedTokens);
        more.add(jti);
        return new OrgRules(state, rateLimits, maxJwtLifetimeSeconds, noticeDays, revokedTrustPolicies, more);
    }
}
