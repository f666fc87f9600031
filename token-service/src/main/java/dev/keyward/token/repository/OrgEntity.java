package dev.keyward.token.repository;

import dev.keyward.token.domain.OrgPolicy;
import jakarta.persistence.Column;
import jakarta.persistence.Convert;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.List;

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

    /** Empty for none. */
    @Column(name = "default_cidrs")
    @Convert(converter = Columns.StringListJson.class)
    public List<String> defaultCidrs = List.of();

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

    /** The policy an org row holds. The one mapping from columns to {@link OrgPolicy}. */
    public OrgPolicy policy() {
        return new OrgPolicy(defaultTtlSeconds, minExpiresInSeconds, maxExpiresInSeconds,
                allowNeverExpiring, maxActivePerUser, maxActivePerOrg,
                defaultCidrs, maxJwtLifetimeSeconds, rateLimitProd, rateLimitDev,
                noticeDays, leakAction,
                new OrgPolicy.Caps(capMaxTtlSeconds, capMaxTokensPerOrg, capMaxJwtLifetimeSeconds,
                        capRateLimitProd, capRateLimitDev));
    }

    /** Sets the columns of {@code p}. */
    public void policy(OrgPolicy p) {
        this.defaultTtlSeconds = p.defaultTtlSeconds();
        this.minExpiresInSeconds = p.minExpiresInSeconds();
        this.maxExpiresInSeconds = p.maxExpiresInSeconds();
        this.allowNeverExpiring = p.allowNeverExpiring();
        this.maxActivePerUser = p.maxActivePerUser();
        this.maxActivePerOrg = p.maxActivePerOrg();
        this.defaultCidrs = p.defaultCidrs();
        this.maxJwtLifetimeSeconds = p.maxJwtLifetimeSeconds();
        this.rateLimitProd = p.rateLimitProd();
        this.rateLimitDev = p.rateLimitDev();
        this.noticeDays = p.noticeDays();
        this.leakAction = p.leakAction();
        this.capMaxTtlSeconds = p.caps().maxTtlSeconds();
        this.capMaxTokensPerOrg = p.caps().maxTokensPerOrg();
        this.capMaxJwtLifetimeSeconds = p.caps().maxJwtLifetimeSeconds();
        this.capRateLimitProd = p.caps().rateLimitProd();
        this.capRateLimitDev = p.caps().rateLimitDev();
    }
}
