package dev.keyward.token.repository;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import java.time.Instant;
import java.util.List;

@ApplicationScoped
public class ExchangedTokenRepository implements PanacheRepositoryBase<ExchangedTokenEntity, String> {

    /** The token of this org, locked until the transaction ends; null when there is none. */
    public Uni<ExchangedTokenEntity> lockInOrg(String orgId, String jti) {
        return find("orgId = ?1 and jti = ?2", orgId, jti).withLock(LockModeType.PESSIMISTIC_WRITE).firstResult();
    }

    /** Writes {@code rows} with one statement ({@link MultiRowInsert}): a group of exchanges commits together. */
    public Uni<Void> insertAll(List<ExchangedTokenEntity> rows) {
        Columns.ScopesJson scopes = new Columns.ScopesJson();
        return MultiRowInsert.into(getSession(), "exchanged_tokens",
                List.of("jti", "org_id", "trust_policy_id", "subject", "issuer", "scopes", "created_at", "expires_at"), rows,
                row -> new Object[] {row.jti, row.orgId, row.trustPolicyId, row.subject, row.issuer,
                        scopes.convertToDatabaseColumn(row.scopes), row.createdAt, row.expiresAt});
    }

    /** Revoked tokens that were still alive at {@code aliveAt}, of every org. */
    public Uni<List<ExchangedTokenEntity>> revokedAliveAt(Instant aliveAt) {
        return find("revokedAt is not null and expiresAt > ?1", aliveAt).list();
    }

    /** Forgets tokens that expired before {@code before}; how many. */
    public Uni<Long> purgeExpiredBefore(Instant before) {
        return delete("expiresAt < ?1", before);
    }
}
