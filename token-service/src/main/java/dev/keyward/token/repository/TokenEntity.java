package dev.keyward.token.repository;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** A token record. Holds keyed hashes of its keys, never a key. */
@Entity
@Table(name = "tokens")
public class TokenEntity {

    @Id
    public String id;

    @Column(name = "org_id")
    public String orgId;

    @Column(name = "key_hash")
    public String keyHash;

    @Column(name = "key_prefix")
    public String keyPrefix;

    @Column(name = "previous_key_hash")
    public String previousKeyHash;

    @Column(name = "previous_key_prefix")
    public String previousKeyPrefix;

    @Column(name = "previous_key_expires_at")
    public Instant previousKeyExpiresAt;

    public String name;

    public String kind;

    public String environment;

    /** Canonical scope wire form as JSON. */
    public String scopes;

    /** JSON array, null for none. */
    @Column(name = "allowed_cidrs")
    public String allowedCidrs;

    @Column(name = "created_at")
    public Instant createdAt;

    @Column(name = "expires_at")
    public Instant expiresAt;

    @Column(name = "revoked_at")
    public Instant revokedAt;

    @Column(name = "rotated_at")
    public Instant rotatedAt;

    @Column(name = "last_used_at")
    public Instant lastUsedAt;

    /** When the expiry job marked it expired (and emitted token:expired); null before. */
    @Column(name = "expired_at")
    public Instant expiredAt;

    /** When the deprecation job emitted token:expiring and queued its notifications; null before. */
    @Column(name = "expiring_notified_at")
    public Instant expiringNotifiedAt;

    /** Where deprecation notices go; the org's contact e-mail when null. */
    @Column(name = "notify_email")
    public String notifyEmail;

    @Column(name = "created_by_type")
    public String createdByType;

    @Column(name = "created_by_user_id")
    public String createdByUserId;

    @Column(name = "created_by_name")
    public String createdByName;

    @Column(name = "created_by_token_id")
    public String createdByTokenId;

    @Column(name = "created_by_token_prefix")
    public String createdByTokenPrefix;

    public boolean isExpired(Instant now) {
        return expiresAt != null && !expiresAt.isAfter(now);
    }
}
