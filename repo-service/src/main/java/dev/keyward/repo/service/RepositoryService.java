package dev.keyward.repo.service;

import dev.keyward.contract.ApiException;
import dev.keyward.contract.RepoIds;
import dev.keyward.repo.repository.RepositoryEntity;
import dev.keyward.repo.repository.RepositoryRepository;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.hibernate.exception.ConstraintViolationException;

/** Creating, listing, reading and deleting an org's repositories: the row and the bare repository together. */
@ApplicationScoped
public class RepositoryService {

    public static final int DEFAULT_PAGE_SIZE = 50;
    public static final int MAX_PAGE_SIZE = 200;
    /**
     * The content API's sub-resources ({@code /v1/repos/{id}/commits}, …): no segment of a new id
     * after its first may be one, so a content path always says where its id ends (docs/api.md,
     * "Ids next to sub-resource names").
     */
    public static final String SUB_RESOURCES = "commits|tree|blob|compare|refs|merges";
    private static final Set<String> RESERVED_SEGMENTS = Set.of(SUB_RESOURCES.split("\\|"));

    private final RepositoryRepository repositories;
    private final RepositoryStorage storage;
    private final Vertx vertx;

    public RepositoryService(RepositoryRepository repositories, RepositoryStorage storage, Vertx vertx) {
        this.repositories = repositories;
        this.storage = storage;
        this.vertx = vertx;
    }

    /** The id a create request asks for, or a new UUID; refused when it breaks the id rules. */
    public static String idToCreate(String requested) {
        String id = requested == null ? UUID.randomUUID().toString() : requested;
        RepoIds.problem(id).ifPresent(problem -> {
            throw ApiException.badRequest("invalid_repo_id", problem);
        });
        String[] segments = id.split("/");
        for (int i = 1; i < segments.length; i++) {
            if (RESERVED_SEGMENTS.contains(segments[i])) {
                throw ApiException.badRequest("invalid_repo_id", "repository id must not have '" + segments[i]
                        + "' as a segment after the first: it names a part of the content API (" + SUB_RESOURCES.replace('|', ',') + ")");
            }
        }
        return id;
    }

    /** Validates an id from a path; 400 when it cannot be a repository id. */
    public static String checkId(String id) {
        RepoIds.problem(id).ifPresent(problem -> {
            throw ApiException.badRequest("invalid_repo_id", problem);
        });
        return id;
    }

    /**
     * Creates the row and the bare repository in one transaction: a failure on disk leaves no row,
     * and a transaction that fails after the repository was made on disk (the database went away
     * before the commit) removes it again, so a failed create leaves nothing behind.
     */
    public Uni<RepositoryInfo> create(String org, String id) {
        AtomicBoolean onDisk = new AtomicBoolean();
        return Panache.withTransaction(() -> repositories.findByOrgAndId(org, id).flatMap(existing -> {
            if (existing != null) {
                return Uni.createFrom().failure(ApiException.conflict("repository " + id + " already exists"));
            }
            RepositoryEntity e = new RepositoryEntity();
            e.org = org;
            e.repoId = id;
            e.defaultBranch = storage.defaultBranch();
            e.createdAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
            return repositories.persistAndFlush(e)
                    .call(() -> vertx.executeBlocking(Uni.createFrom().item(() -> {
                        storage.create(org, id);
                        onDisk.set(true);
                        return id;
                    })))
                    .map(RepositoryService::toInfo);
        })).onFailure().call(failure -> onDisk.get()
                ? vertx.executeBlocking(Uni.createFrom().item(() -> {
                    storage.delete(org, id);
                    return id;
                })).onFailure().recoverWithNull().replaceWithVoid()
                : Uni.createFrom().voidItem())
                .onFailure(RepositoryService::isUniqueViolation)
                .transform(f -> ApiException.conflict("repository " + id + " already exists"));
    }

    public Uni<RepositoryInfo> get(String org, String id) {
        return Panache.withSession(() -> repositories.findByOrgAndId(org, id)).map(e -> {
            if (e == null) {
                throw ApiException.notFound("repository " + id + " does not exist");
            }
            return toInfo(e);
        });
    }

    public Uni<RepositoryPage> list(String org, String prefix, Integer pageSize, String pageToken) {
        int size = pageSize == null ? DEFAULT_PAGE_SIZE : pageSize;
        if (size < 1 || size > MAX_PAGE_SIZE) {
            throw ApiException.badRequest("invalid_page_size", "page_size must be between 1 and " + MAX_PAGE_SIZE);
        }
        String after = pageToken == null || pageToken.isEmpty() ? "" : decodeToken(pageToken);
        return Panache.withSession(() -> repositories.page(org, prefix == null ? "" : prefix, after, size + 1)).map(rows -> {
            boolean more = rows.size() > size;
            List<RepositoryInfo> page = rows.stream().limit(size).map(RepositoryService::toInfo).toList();
            return new RepositoryPage(page, more ? encodeToken(page.get(page.size() - 1).id()) : null);
        });
    }

    /** Deletes the row and the repository on disk; 404 when there is none. */
    public Uni<Void> delete(String org, String id) {
        return Panache.withTransaction(() -> repositories.deleteByOrgAndId(org, id).flatMap(count -> {
            if (count == 0) {
                return Uni.createFrom().failure(ApiException.notFound("repository " + id + " does not exist"));
            }
            return vertx.executeBlocking(Uni.createFrom().item(() -> {
                storage.delete(org, id);
                return id;
            })).replaceWithVoid();
        }));
    }

    /** Removes every repository of an org (on {@code org:deleted}); returns how many rows went. Idempotent. */
    public Uni<Long> deleteAllOf(String org) {
        return Panache.withTransaction(() -> repositories.delete("org", org)
                .call(() -> vertx.executeBlocking(Uni.createFrom().item(() -> {
                    storage.deleteOrg(org);
                    return org;
                }))));
    }

    private static RepositoryInfo toInfo(RepositoryEntity e) {
        return new RepositoryInfo(e.org, e.repoId, e.createdAt, e.defaultBranch);
    }

    private static boolean isUniqueViolation(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof ConstraintViolationException
                    || (c.getMessage() != null && c.getMessage().contains("repositories_org_repo_id_unique"))) {
                return true;
            }
        }
        return false;
    }

    private static String encodeToken(String lastId) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(lastId.getBytes(StandardCharsets.UTF_8));
    }

    private static String decodeToken(String token) {
        try {
            String id = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
            if (!RepoIds.isValid(id)) {
                throw new IllegalArgumentException();
            }
            return id;
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("invalid_page_token", "page_token is not one this service issued");
        }
    }
}
