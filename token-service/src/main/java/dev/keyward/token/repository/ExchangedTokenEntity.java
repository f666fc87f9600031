package dev.keyward.token.repository;

import dev.keyward.contract.Scopes;
import jakarta.persistence.Column;
import jakarta.persistence.Convert;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** A token an exchange issued. The token itself is not stored: it is a JWT only the workload holds. */
@Entity
@Table(name = "exchanged_tokens")
public class ExchangedTokenEntity {

    @Id
    public String jti;

    @Column(name = "org_id")
    public String orgId;

    @Column(name = "trust_policy_id")
    public String trustPolicyId;

    /** The workload's subject at its issuer. */
    public String subject;

    public String issuer;

    @Convert(converter = Columns.ScopesJson.class)
    public Scopes scopes;

    @Column(name = "created_at")
    public Instant createdAt;

    @Column(name = "expires_at")
    public Instant expiresAt;

    @Column(name = "revoked_at")
    public Instant revokedAt;
}
