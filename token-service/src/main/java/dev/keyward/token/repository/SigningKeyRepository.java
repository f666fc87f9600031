package dev.keyward.token.repository;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;

@ApplicationScoped
public class SigningKeyRepository implements PanacheRepositoryBase<SigningKeyEntity, String> {

    /** The key that signs: the newest one not retired; null when there is none. */
    public Uni<SigningKeyEntity> newestActive() {
        return find("retiredAt is null order by createdAt desc, kid desc").firstResult();
    }

    /** The keys verifiers must know at {@code now}: not retired, or retired but still published. */
    public Uni<List<SigningKeyEntity>> publishedAt(Instant now) {
        return list("publishUntil is null or publishUntil > ?1 order by createdAt, kid", now);
    }

    /** Retires every key still signing; how many. */
    public Uni<Integer> retireActive(Instant now, Instant publishUntil) {
        return update("retiredAt = ?1, publishUntil = ?2 where retiredAt is null", now, publishUntil);
    }

    /** Deletes the keys whose publication ended before {@code cutoff}; how many. */
    public Uni<Long> deleteUnpublishedBefore(Instant cutoff) {
        return delete("publishUntil is not null and publishUntil < ?1", cutoff);
    }
}
