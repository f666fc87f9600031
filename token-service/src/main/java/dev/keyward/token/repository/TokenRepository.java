package dev.keyward.token.repository;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Parameters;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;
import java.util.Set;

@ApplicationScoped
public class TokenRepository implements PanacheRepositoryBase<TokenEntity, String> {

    private static final String ACTIVE = TokenEntity.ACTIVE_JPQL;

    /** The token whose current key, or previous key during a rotation's grace, has this keyed hash. */
    public Uni<TokenEntity> findByKeyHash(String keyHash) {
        return find("keyHash = ?1 or previousKeyHash = ?1", keyHash).firstResult();
    }

    /**
     * The tokens whose current or previous key has one of these keyed hashes, locked for update in
     * id order (the order every multi-token revocation locks in).
     */
    public Uni<List<TokenEntity>> lockByKeyHashes(List<String> keyHashes) {
        return find("keyHash in ?1 or previousKeyHash in ?1 order by id", keyHashes)
                .withLock(jakarta.persistence.LockModeType.PESSIMISTIC_WRITE).list();
    }

    /**
     * Writes new tokens with one statement ({@link MultiRowInsert}): a group of creates commits together,
     * without Hibernate's per-entity work for each. Only a new token's columns are written; the rest
     * (revocation, rotation, use, expiry marks) start null, and a row that has any is refused.
     */
    public Uni<Void> insertAll(List<TokenEntity> rows) {
        for (TokenEntity row : rows) {
            if (row.revokedAt != null || row.rotatedAt != null || row.lastUsedAt != null || row.expiredAt != null
                    || row.expiringNotifiedAt != null || row.previousKeyHash != null || row.previousKeyPrefix != null
                    || row.previousKeyExpiresAt != null) {
                throw new IllegalArgumentException("insertAll writes new tokens only: " + row.id);
            }
        }
        Columns.Kind kinds = new Columns.Kind();
        Columns.Environment environments = new Columns.Environment();
        Columns.ScopesJson scopes = new Columns.ScopesJson();
        Columns.StringListJson cidrs = new Columns.StringListJson();
        return MultiRowInsert.into(getSession(), "tokens",
                List.of("id", "org_id", "key_hash", "key_prefix", "name", "kind", "environment", "scopes", "allowed_cidrs",
                        "created_at", "expires_at", "notify_email", "created_by_type", "created_by_user_id", "created_by_name",
                        "created_by_token_id", "created_by_token_prefix"), rows,
                row -> new Object[] {row.id, row.orgId, row.keyHash, row.keyPrefix, row.name,
                        kinds.convertToDatabaseColumn(row.kind), environments.convertToDatabaseColumn(row.environment),
                        scopes.convertToDatabaseColumn(row.scopes), cidrs.convertToDatabaseColumn(row.allowedCidrs),
                        row.createdAt, row.expiresAt, row.notifyEmail, row.createdByType, row.createdByUserId,
                        row.createdByName, row.createdByTokenId, row.createdByTokenPrefix});
    }

    public Uni<TokenEntity> findInOrg(String orgId, String id) {
        return find("id = ?1 and orgId = ?2", id, orgId).firstResult();
    }

    public Uni<Long> countActiveInOrg(String orgId, Instant now) {
        return count("orgId = :org and " + ACTIVE, Parameters.with("org", orgId).and("now", now));
    }

    public Uni<Long> countActiveByCreator(String orgId, String userId, Instant now) {
        return count("orgId = :org and createdByUserId = :user and " + ACTIVE,
                Parameters.with("org", orgId).and("user", userId).and("now", now));
    }

    /**
     * One page in (created_at, id) order, starting after the cursor when there is one; only the
     * tokens {@code createdBy} created when it is not null.
     */
    public Uni<List<TokenEntity>> page(String orgId, String createdBy, boolean activeOnly, Instant afterCreatedAt,
                                       String afterId, int size, Instant now) {
        StringBuilder q = new StringBuilder("orgId = :org");
        Parameters params = Parameters.with("org", orgId);
        if (createdBy != null) {
            q.append(" and createdByUserId = :createdBy");
            params.and("createdBy", createdBy);
        }
        if (activeOnly) {
            q.append(" and ").append(ACTIVE);
            params.and("now", now);
        }
        if (afterId != null) {
            q.append(" and (createdAt > :after or (createdAt = :after and id > :afterId))");
            params.and("after", afterCreatedAt).and("afterId", afterId);
        }
        q.append(" order by createdAt, id");
        return find(q.toString(), params).page(0, size).list();
    }

    /** The org's tokens not revoked yet (marked expired ones included). */
    public Uni<List<TokenEntity>> unrevokedInOrg(String orgId) {
        return list("orgId = ?1 and revokedAt is null", orgId);
    }

    public Uni<List<TokenEntity>> allInOrg(String orgId) {
        return find("orgId = ?1 order by createdAt, id", orgId).list();
    }

    /** Records a use at {@code usedAt} unless a later one is recorded; in the caller's transaction. */
    public Uni<Integer> recordUse(String id, String orgId, Instant usedAt) {
        return update("lastUsedAt = ?1 where id = ?2 and orgId = ?3 and (lastUsedAt is null or lastUsedAt < ?1)",
                usedAt, id, orgId);
    }

    /** Which of {@code ids} are revoked (one query for a group of creates). */
    public Uni<Set<String>> revokedAmong(List<String> ids) {
        if (ids.isEmpty()) {
            return Uni.createFrom().item(Set.of());
        }
        return getSession().flatMap(s -> s.createSelectionQuery(
                        "select t.id from TokenEntity t where t.id in (:ids) and t.revokedAt is not null", String.class)
                .setParameter("ids", ids).getResultList())
                .map(Set::copyOf);
    }

    /**
     * Token {@code rootId} of {@code orgId} and every token it minted, recursively (through
     * {@code created_by_token_id}, revoked ones included, since their own mintings may still be
     * live), locked for update in id order. With {@code owner}, the walk keeps to the tokens whose
     * creation chain starts at {@code owner} (an org member's own tokens) and goes no further.
     */
    public Uni<List<TokenEntity>> lockSubtree(String orgId, String rootId, String owner) {
        String ownTokens = owner == null ? "" : " and t.created_by_user_id = ?3";
        String sql = """
                with recursive subtree (id) as (
                    select id from tokens where id = ?1 and org_id = ?2
                  union
                    select t.id from tokens t join subtree s on t.created_by_token_id = s.id
                    where t.org_id = ?2%s
                )
                select t.* from tokens t where t.id in (select id from subtree) order by t.id for update
                """.formatted(ownTokens);
        return getSession().flatMap(s -> {
            var query = s.createNativeQuery(sql, TokenEntity.class).setParameter(1, rootId).setParameter(2, orgId);
            if (owner != null) {
                query.setParameter(3, owner);
            }
            return query.getResultList();
        });
    }
}
