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

    /** Live tokens of the org: changed only through {@link LiveTokenCounts}, with the row locked. */
    @Column(name = "live_tokens")
    public int liveTokens;
}
