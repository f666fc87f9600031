package dev.keyward.token.repository;

import dev.keyward.contract.ApiKeyFormat;
import dev.keyward.contract.Scopes;
import dev.keyward.contract.TokenKind;
import jakarta.persistence.Column;
import jakarta.persistence.Convert;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.List;

/** A token record. Holds keyed hashes of its keys, never a key. */
@Entity
@Table(name = "tokens")
public class TokenEntity {

    /**
     * Live: counted by {@link LiveTokenCounts}, neither revoked nor marked expired by the expiry job
     * (native SQL on {@code tokens t}).
     */
    public static final String LIVE_SQL = "t.revoked_at is null and t.expired_at is null";

    /** {@link #state} is {@link State#ACTIVE} at {@code :now}, as a JPQL condition. */
    public static final String ACTIVE_JPQL = "revokedAt is null and expiredAt is null and (expiresAt is null or expiresAt > :now)";

    /** A token's state at an instant; revoked wins over expired. */
    public enum State { ACTIVE, REVOKED, EXPIRED }

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

    @Convert(converter = Columns.Kind.class)
    public TokenKind kind;

    @Convert(converter = Columns.Environment.class)
    public ApiKeyFormat.Environment environment;

    @Convert(converter = Columns.ScopesJson.class)
    public Scopes scopes;

    /** The address fence; empty for none. */
    @Column(name = "allowed_cidrs")
    @Convert(converter = Columns.StringListJson.class)
    public List<String> allowedCidrs = List.of();

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

    /**
     * The one definition of an active token: not revoked and not expired, where expired means past
     * {@code expires_at} or marked by the expiry job (so a marked token stays out even if clocks
     * disagree). {@link #ACTIVE_JPQL} and {@link #activeSql} say the same in queries.
     */
    public State state(Instant now) {
        if (revokedAt != null) {
            return State.REVOKED;
        }
        if (expiredAt != null || (expiresAt != null && !expiresAt.isAfter(now))) {
            return State.EXPIRED;
        }
        return State.ACTIVE;
    }

    /** {@link #state} is {@link State#ACTIVE} at the instant {@code now} (a parameter placeholder), in native SQL on {@code tokens t}. */
    public static String activeSql(String now) {
        return LIVE_SQL + " and (t.expires_at is null or t.expires_at > " + now + ")";
    }
}
