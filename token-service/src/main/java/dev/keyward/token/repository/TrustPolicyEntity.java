package dev.keyward.token.repository;

import dev.keyward.contract.Scopes;
import jakarta.persistence.Column;
import jakarta.persistence.Convert;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.Map;

/** A trust policy of an org: which workload tokens it accepts in exchange, and what they get. */
@Entity
@Table(name = "trust_policies")
public class TrustPolicyEntity {

    @Id
    public String id;

    @Column(name = "org_id")
    public String orgId;

    public String name;

    /** The workload token's {@code iss}, exactly. */
    public String issuer;

    /** One value the workload token's {@code aud} must hold. */
    public String audience;

    /** A glob over the workload token's {@code sub}. */
    public String subject;

    /** Claim name to glob; every one must match. */
    @Convert(converter = Columns.StringMapJson.class)
    public Map<String, String> claims;

    @Convert(converter = Columns.ScopesJson.class)
    public Scopes scopes;

    @Column(name = "max_ttl")
    public long maxTtlSeconds;

    @Column(name = "created_at")
    public Instant createdAt;

    /** The actor who created it (a token id or a person's id). */
    @Column(name = "created_by")
    public String createdBy;

    /** When it was deleted; its tokens are refused from then on. */
    @Column(name = "deleted_at")
    public Instant deletedAt;
}
