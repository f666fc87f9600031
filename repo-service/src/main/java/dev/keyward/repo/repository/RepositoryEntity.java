package dev.keyward.repo.repository;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** A repository's metadata row. */
@Entity
@Table(name = "repositories")
public class RepositoryEntity extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long pk;

    @Column(nullable = false)
    public String org;

    @Column(name = "repo_id", nullable = false)
    public String repoId;

    @Column(name = "default_branch", nullable = false)
    public String defaultBranch;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;
}
