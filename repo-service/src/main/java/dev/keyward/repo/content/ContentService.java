package dev.keyward.repo.content;

import dev.keyward.contract.ApiException;
import dev.keyward.repo.config.ContentConfig;
import dev.keyward.repo.git.KeywardIdent;
import dev.keyward.repo.git.PushProtection;
import dev.keyward.repo.service.RepositoryStorage;
import dev.keyward.verification.VerifiedPrincipal;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.jgit.errors.RepositoryNotFoundException;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.RepositoryCache;
import org.eclipse.jgit.util.FS;

/**
 * Runs content API work on a repository of an org: opens the bare repository (404 when there is
 * none, as git over HTTP answers), and does the JGit work on a worker thread, never on the event loop.
 */
@ApplicationScoped
public class ContentService {

    /** Blocking work on an open repository. */
    @FunctionalInterface
    public interface Work<S, T> {
        T apply(S side) throws IOException;
    }

    private final RepositoryStorage storage;
    private final PushProtection pushProtection;
    private final Vertx vertx;
    private final long maxBlobBytes;

    public ContentService(RepositoryStorage storage, PushProtection pushProtection, Vertx vertx, ContentConfig config) {
        this.storage = storage;
        this.pushProtection = pushProtection;
        this.vertx = vertx;
        this.maxBlobBytes = config.maxBlobBytes().asLongValue();
    }

    /** Reads repository {@code id} of {@code org}. */
    public <T> Uni<T> read(String org, String id, Work<RepositoryBrowser, T> work) {
        return blocking(org, id, repository -> work.apply(new RepositoryBrowser(repository, maxBlobBytes)));
    }

    /** Changes repository {@code id} of the caller's org, as the caller; the work gets the committer. */
    public <T> Uni<T> write(VerifiedPrincipal caller, String id, WriteWork<T> work) {
        return blocking(caller.org(), id, repository -> work.apply(
                new RepositoryWriter(repository, (repo, commands) -> pushProtection.inspect(repo, commands, caller.org(), id)),
                KeywardIdent.of(caller)));
    }

    /** Blocking work that writes, with the identity it commits as. */
    @FunctionalInterface
    public interface WriteWork<T> {
        T apply(RepositoryWriter writer, PersonIdent committer) throws IOException;
    }

    private <T> Uni<T> blocking(String org, String id, Work<Repository, T> work) {
        return vertx.executeBlocking(Uni.createFrom().item(() -> {
            try (Repository repository = open(org, id)) {
                return work.apply(repository);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }));
    }

    private Repository open(String org, String id) throws IOException {
        Path dir = storage.pathOf(org, id);
        if (!Files.isDirectory(dir)) {
            throw ApiException.notFound("repository " + id + " does not exist");
        }
        try {
            return RepositoryCache.FileKey.exact(dir.toFile(), FS.DETECTED).open(true);
        } catch (RepositoryNotFoundException e) {
            throw ApiException.notFound("repository " + id + " does not exist");
        }
    }
}
