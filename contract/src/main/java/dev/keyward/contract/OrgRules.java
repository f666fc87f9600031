package dev.keyward.contract;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What every service's verifier must know of an org's policy (the body of one entry of
 * {@code GET /internal/orgs/rules}; docs/internal-contracts.md). The one record both sides bind.
 *
 * @param state                 {@code active}, {@code suspended} or {@code deleted}; anything but active refuses the org's credentials
 * @param rateLimits            requests per second per token by environment; null: the service's configured defaults
 * @param maxJwtLifetimeSeconds the longest {@code exp - iat} a customer-signed JWT of the org may have
 * @param noticeDays            how many days before its expiry a token gets the {@code Sunset} header
 */
public record OrgRules(@JsonProperty("state") String state,
                       @JsonProperty("rate_limits") RateLimits rateLimits,
                       @JsonProperty("max_jwt_lifetime") long maxJwtLifetimeSeconds,
                       @JsonProperty("notice_days") int noticeDays) {

    public static final String ACTIVE = "active";
    public static final String SUSPENDED = "suspended";
    public static final String DELETED = "deleted";
    /** The contract's defaults: active, the service's rate limits, 24 h JWTs, 14 days' notice. */
    public static final OrgRules DEFAULT = new OrgRules(ACTIVE, null, 86_400, 14);

    /** Requests per second allowed per token of each environment. */
    public record RateLimits(@JsonProperty("prod") double prod, @JsonProperty("dev") double dev) {
    }

    /** Whether the org's credentials are refused (suspended or deleted). */
    public boolean refused() {
        return !ACTIVE.equals(state);
    }

    public OrgRules withState(String newState) {
        return new OrgRules(newState, rateLimits, maxJwtLifetimeSeconds, noticeDays);
    }
}
