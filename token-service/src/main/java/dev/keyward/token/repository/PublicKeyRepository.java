package dev.keyward.token.repository;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

@ApplicationScoped
public class PublicKeyRepository implements PanacheRepositoryBase<PublicKeyEntity, String> {

    public Uni<List<PublicKeyEntity>> listForOrg(String orgId) {
        return find("orgId = ?1 order by createdAt, kid", orgId).list();
    }

    public Uni<PublicKeyEntity> findByKid(String orgId, String kid) {
        return find("orgId = ?1 and kid = ?2", orgId, kid).firstResult();
    }
}
