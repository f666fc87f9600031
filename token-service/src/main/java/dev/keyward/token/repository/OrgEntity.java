package dev.keyward.token.repository;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** One org and its token policy (see {@code OrgPolicy}). */
@Entity
@Table(name = "orgs")
public class OrgEntity {

    @Id
    public String id;

    @Column(name = "created_at")
    public Instant createdAt;

    @Column(name = "default_ttl_seconds")
    public long defaultTtlSeconds;

    @Column(name = "min_expires_in_seconds")
    public long minExpiresInSeconds;

    @Column(name = "max_expires_in_seconds")
    public long maxExpiresInSeconds;

    @Column(name = "allow_never_expiring")
    public boolean allowNeverExpiring;

    @Column(name = "max_active_per_user")
    public int maxActivePerUser;

    @Column(name = "max_active_per_org")
    public int maxActivePerOrg;

    /** JSON array. */
    @Column(name = "default_cidrs")
    public String defaultCidrs;

    @Column(name = "webhook_url")
    public String webhookUrl;

    @Column(name = "contact_email")
    public String contactEmail;

    /** Write-only through the API: never returned, never in an event. */
    @Column(name = "webhook_secret")
    public String webhookSecret;

    public String name;

    /** {@code active}, {@code suspended} or {@code deleted} ({@link dev.keyward.contract.OrgRules}). */
    public String state;

    @Column(name = "state_changed_at")
    public Instant stateChangedAt;

    @Column(name = "max_jwt_lifetime_seconds")
    public long maxJwtLifetimeSeconds;

    /** Null: the services' configured default. */
    @Column(name = "rate_limit_prod")
    public Double rateLimitProd;

    @Column(name = "rate_limit_dev")
    public Double rateLimitDev;

    @Column(name = "notice_days")
    public int noticeDays;

    @Column(name = "leak_action")
    public String leakAction;

    @Column(name = "cap_max_ttl_seconds")
    public long capMaxTtlSeconds;

    @Column(name = "cap_max_tokens_per_org")
    public int capMaxTokensPerOrg;

    @Column(name = "cap_max_jwt_lifetime_seconds")
    public long capMaxJwtLifetimeSeconds;

    @Column(name = "cap_rate_limit_prod")
    public Double capRateLimitProd;

    @Column(name = "cap_rate_limit_dev")
    public Double capRateLimitDev;

    /** Live tokens of the org: changed only through {@link LiveTokenCounts}, with the row locked. */
    @Column(name = "live_tokens")
    public int liveTokens;
}
