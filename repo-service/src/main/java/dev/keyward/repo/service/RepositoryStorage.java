package dev.keyward.repo.service;

import dev.keyward.contract.RepoIds;
import dev.keyward.repo.config.RepositoriesConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.regex.Pattern;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;

/**
 * The bare repositories on disk: {@code <keyward.repos.dir>/<org>/<repo id>.git}. Ids are checked by
 * {@link RepoIds} and the resolved path must stay under the org's directory, so nothing can escape
 * the root. Blocking: call it from a worker thread.
 */
@ApplicationScoped
public class RepositoryStorage {

    private static final Pattern ORG = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}");

    private final Path root;
    private final String defaultBranch;

    public RepositoryStorage(RepositoriesConfig config) {
        this.root = config.dir().toAbsolutePath().normalize();
        this.defaultBranch = config.defaultBranch();
    }

    public String defaultBranch() {
        return defaultBranch;
    }

    /** The directory of a repository; refuses ids and orgs that could leave the root. */
    public Path pathOf(String org, String repoId) {
        if (org == null || !ORG.matcher(org).matches() || org.equals("..")) {
            throw new IllegalArgumentException("bad org id");
        }
        RepoIds.problem(repoId).ifPresent(p -> {
            throw new IllegalArgumentException(p);
        });
        Path orgDir = root.resolve(org).normalize();
        Path dir = orgDir.resolve(repoId + ".git").normalize();
        if (!dir.startsWith(orgDir) || !orgDir.startsWith(root)) {
            throw new IllegalArgumentException("repository path leaves the root");
        }
        return dir;
    }

    public boolean exists(String org, String repoId) {
        return Files.isDirectory(pathOf(org, repoId));
    }

    /** Creates an empty bare repository whose HEAD names the default branch. */
    public void create(String org, String repoId) {
        Path dir = pathOf(org, repoId);
        if (Files.exists(dir)) {
            throw new IllegalStateException("repository directory already exists");
        }
        try {
            Files.createDirectories(dir.getParent());
            try (Git ignored = Git.init().setBare(true).setGitDir(dir.toFile()).setInitialBranch(defaultBranch).call()) {
                // created
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GitAPIException e) {
            throw new IllegalStateException("cannot initialise repository", e);
        }
    }

    /** Deletes an org's whole directory (every repository of a deleted org); nothing when there is none. */
    public void deleteOrg(String org) {
        if (org == null || !ORG.matcher(org).matches() || org.equals("..")) {
            throw new IllegalArgumentException("bad org id");
        }
        Path orgDir = root.resolve(org).normalize();
        if (!orgDir.startsWith(root) || orgDir.equals(root)) {
            throw new IllegalArgumentException("org path leaves the root");
        }
        try {
            deleteTree(orgDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** Deletes a repository's directory and the namespace directories it leaves empty. */
    public void delete(String org, String repoId) {
        Path dir = pathOf(org, repoId);
        try {
            deleteTree(dir);
            Path orgDir = root.resolve(org).normalize();
            for (Path p = dir.getParent(); p != null && p.startsWith(orgDir) && !p.equals(orgDir); p = p.getParent()) {
                try {
                    Files.deleteIfExists(p);
                } catch (DirectoryNotEmptyException e) {
                    break; // another repository of the namespace still lives here
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
