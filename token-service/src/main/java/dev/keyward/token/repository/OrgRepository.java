package dev.keyward.token.repository;

import dev.keyward.token.domain.OrgPolicy;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;

@ApplicationScoped
public class OrgRepository implements PanacheRepositoryBase<OrgEntity, String> {

    /** The org row, locked until the transaction ends: serialises the limit checks of one org. */
    public Uni<OrgEntity> lockById(String id) {
        return findById(id, LockModeType.PESSIMISTIC_WRITE);
    }

    /**
     * Creates an org with {@link OrgPolicy#DEFAULT} unless it exists (the new row stays locked).
     * Concurrent callers block on the primary key until the first commits, so exactly one of them
     * sees {@code true}.
     */
    public Uni<Boolean> insertIfAbsent(String id) {
        return getSession().flatMap(s -> s.createNativeQuery(
                        "insert into orgs (id, name, created_at) values (?1, ?1, now()) on conflict (id) do nothing")
                .setParameter(1, id)
                .executeUpdate())
                .flatMap(rows -> rows != 1 ? Uni.createFrom().item(false)
                        : lockById(id).invoke(org -> org.policy(OrgPolicy.DEFAULT)).replaceWith(true));
    }
}
