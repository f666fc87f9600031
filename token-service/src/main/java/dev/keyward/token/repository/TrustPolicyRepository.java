package dev.keyward.token.repository;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;

@ApplicationScoped
public class TrustPolicyRepository implements PanacheRepositoryBase<TrustPolicyEntity, String> {

    /** Live policies, oldest first: the order an exchange tries them in. */
    public Uni<List<TrustPolicyEntity>> liveOf(String orgId) {
        return find("orgId = ?1 and deletedAt is null order by createdAt, id", orgId).list();
    }

    public Uni<TrustPolicyEntity> findLive(String orgId, String id) {
        return find("orgId = ?1 and id = ?2 and deletedAt is null", orgId, id).firstResult();
    }

    /** Policies deleted after {@code since} (whose tokens may still be alive), of every org. */
    public Uni<List<TrustPolicyEntity>> deletedSince(Instant since) {
        return find("deletedAt is not null and deletedAt > ?1", since).list();
    }
}
