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

    /**
     * Writes {@code rows} with one statement: a group of exchanges commits together, and persisting
     * the rows one by one costs Hibernate's per-entity work on the event loop for each.
     */
    public Uni<Void> insertAll(List<ExchangedTokenEntity> rows) {
        if (rows.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        int columns = 8;
        StringBuilder sql = new StringBuilder("insert into exchanged_tokens"
                + " (jti, org_id, trust_policy_id, subject, issuer, scopes, created_at, expires_at) values ");
        for (int i = 0; i < rows.size(); i++) {
            sql.append(i == 0 ? "(" : ", (");
            for (int c = 1; c <= columns; c++) {
                sql.append(c == 1 ? "?" : ", ?").append(i * columns + c);
            }
            sql.append(')');
        }
        Columns.ScopesJson scopes = new Columns.ScopesJson();
        return getSession().flatMap(s -> {
            var insert = s.createNativeQuery(sql.toString());
            for (int i = 0; i < rows.size(); i++) {
                ExchangedTokenEntity row = rows.get(i);
                int p = i * columns;
                insert.setParameter(p + 1, row.jti).setParameter(p + 2, row.orgId).setParameter(p + 3, row.trustPolicyId)
                        .setParameter(p + 4, row.subject).setParameter(p + 5, row.issuer)
                        .setParameter(p + 6, scopes.convertToDatabaseColumn(row.scopes)).setParameter(p + 7, row.createdAt)
                        .setParameter(p + 8, row.expiresAt);
            }
            return insert.executeUpdate();
        }).replaceWithVoid();
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
