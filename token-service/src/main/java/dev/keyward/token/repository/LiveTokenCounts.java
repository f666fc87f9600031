package dev.keyward.token.repository;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import java.util.Map;
import java.util.TreeMap;

/**
 * The org's and each creator's count of live tokens (not revoked, not marked expired), kept in the
 * transaction of every change that starts or ends a token's life, so a create checks its limits
 * without counting rows. Live tokens are a superset of the active ones, so a counter under a limit
 * proves the limit holds; at the limit the caller counts exactly. Callers hold the org row's lock
 * before they change a creator's counter, so two transactions never wait on each other in turn.
 */
@ApplicationScoped
public class LiveTokenCounts implements PanacheRepositoryBase<CreatorLiveTokensEntity, CreatorLiveTokensEntity.Key> {

    /** The creator's live tokens in {@code org} (locked in the current transaction). */
    public Uni<Long> liveOf(OrgEntity org, String creator) {
        return findById(new CreatorLiveTokensEntity.Key(org.id, creator)).map(row -> row == null ? 0L : row.live);
    }

    /**
     * Counts one more live token for the org and the creator. {@code org} must be locked (and
     * managed) in the current transaction, which also makes the creator's row safe to create.
     *
     * @return the creator's live tokens before this one
     */
    public Uni<Long> added(OrgEntity org, String creator) {
        org.liveTokens++;
        CreatorLiveTokensEntity.Key key = new CreatorLiveTokensEntity.Key(org.id, creator);
        return findById(key).flatMap(row -> {
            if (row == null) {
                CreatorLiveTokensEntity first = new CreatorLiveTokensEntity();
                first.key = key;
                first.live = 1;
                return persist(first).replaceWith(0L);
            }
            row.live++;
            return Uni.createFrom().item(row.live - 1L);
        });
    }

    /**
     * Counts one live token less (it was just revoked). {@code org} must be locked in the current
     * transaction, as for {@link #added}: org row first, then the creator's.
     */
    public Uni<Void> ended(OrgEntity org, String creator) {
        org.liveTokens--;
        return findById(new CreatorLiveTokensEntity.Key(org.id, creator), LockModeType.PESSIMISTIC_WRITE)
                .invoke(row -> {
                    if (row != null) {
                        row.live--;
                    }
                })
                .replaceWithVoid();
    }

    /**
     * Counts the live tokens of several creators less (a revocation of many tokens): {@code ended}
     * maps creator → tokens. {@code org} must be locked in the current transaction; the creators'
     * rows are then locked in id order, like every other writer's.
     */
    public Uni<Void> ended(OrgEntity org, Map<String, Integer> ended) {
        Uni<Void> done = Uni.createFrom().voidItem();
        for (Map.Entry<String, Integer> creator : new TreeMap<>(ended).entrySet()) {
            org.liveTokens -= creator.getValue();
            done = done.chain(() -> findById(new CreatorLiveTokensEntity.Key(org.id, creator.getKey()),
                    LockModeType.PESSIMISTIC_WRITE).invoke(row -> {
                        if (row != null) {
                            row.live -= creator.getValue();
                        }
                    })).replaceWithVoid();
        }
        return done;
    }
}
