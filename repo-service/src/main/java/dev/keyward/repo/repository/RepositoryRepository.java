package dev.keyward.repo.repository;

import io.quarkus.hibernate.reactive.panache.PanacheRepository;
import io.quarkus.panache.common.Parameters;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

/** Repository metadata of all orgs; every query is scoped to one org. */
@ApplicationScoped
public class RepositoryRepository implements PanacheRepository<RepositoryEntity> {

    public Uni<RepositoryEntity> findByOrgAndId(String org, String repoId) {
        return find("org = :org and repoId = :repoId", Parameters.with("org", org).and("repoId", repoId)).firstResult();
    }

    /** Up to {@code limit} repositories of {@code org} whose id starts with {@code prefix}, after {@code after}, by id. */
    public Uni<List<RepositoryEntity>> page(String org, String prefix, String after, int limit) {
        // substring() rather than LIKE: ids may hold '_', a LIKE wildcard.
        return find("org = :org and substring(repoId, 1, :len) = :prefix and repoId > :after order by repoId",
                Parameters.with("org", org).and("len", prefix.length()).and("prefix", prefix).and("after", after))
                .page(0, limit).list();
    }

    public Uni<Long> deleteByOrgAndId(String org, String repoId) {
        return delete("org = :org and repoId = :repoId", Parameters.with("org", org).and("repoId", repoId));
    }
}
