package dev.keyward.repo.content;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keyward.contract.ApiException;
import dev.keyward.repo.git.PushProtection;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.dircache.DirCache;
import org.eclipse.jgit.dircache.DirCacheBuilder;
import org.eclipse.jgit.dircache.DirCacheEntry;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.transport.ReceiveCommand;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Commits and merges on a bare repository, without a service: the rules the HTTP tests do not reach one by one. */
class RepositoryWriterTest {

    private static final PersonIdent AGENT = new PersonIdent("tok_test", "acme@keyward");
    private static final RepositoryWriter.Guard OPEN = (repo, commands) -> new PushProtection.Verdict(List.of(), List.of(), null);

    @TempDir
    Path dir;

    private Repository repository;
    private String tip;

    @BeforeEach
    void repositoryWithAnExecutableAndADirectory() throws Exception {
        repository = Git.init().setBare(true).setGitDir(dir.toFile()).setInitialBranch("main").call().getRepository();
        try (ObjectInserter inserter = repository.newObjectInserter()) {
            DirCache index = DirCache.newInCore();
            DirCacheBuilder builder = index.builder();
            builder.add(entry(inserter, "run.sh", FileMode.EXECUTABLE_FILE, "#!/bin/sh\n"));
            builder.add(entry(inserter, "src/a.txt", FileMode.REGULAR_FILE, "a\n"));
            builder.add(entry(inserter, "src/b.txt", FileMode.REGULAR_FILE, "b\n"));
            builder.finish();
            CommitBuilder commit = new CommitBuilder();
            commit.setTreeId(index.writeTree(inserter));
            commit.setAuthor(AGENT);
            commit.setCommitter(AGENT);
            commit.setMessage("seed\n");
            ObjectId id = inserter.insert(commit);
            inserter.flush();
            RefUpdate update = repository.updateRef("refs/heads/main");
            update.setNewObjectId(id);
            assertThat(update.update()).isEqualTo(RefUpdate.Result.NEW);
            tip = id.name();
        }
    }

    @AfterEach
    void close() {
        repository.close();
    }

    @Test
    void aWriteKeepsAnExecutableExecutableAndMakesNewFilesRegular() throws Exception {
        ContentJson.Commit c = writer(OPEN).commit(plan("main", tip, write("run.sh", "#!/bin/sh\necho hi\n"), write("new.txt", "n\n")), AGENT);

        assertThat(mode(c.sha(), "run.sh")).isEqualTo(FileMode.EXECUTABLE_FILE);
        assertThat(mode(c.sha(), "new.txt")).isEqualTo(FileMode.REGULAR_FILE);
        assertThat(c.parents()).containsExactly(tip);
        assertThat(repository.exactRef("refs/heads/main").getObjectId().name()).isEqualTo(c.sha());
    }

    @Test
    void theSecondOfTwoCommitsPlannedOnOneParentIsStale() throws Exception {
        RepositoryWriter.CommitPlan first = plan("main", tip, write("x.txt", "1\n"));
        RepositoryWriter.CommitPlan second = plan("main", tip, write("x.txt", "2\n"));
        String landed = writer(OPEN).commit(first, AGENT).sha();

        assertThatThrownBy(() -> writer(OPEN).commit(second, AGENT)).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.status()).isEqualTo(409);
            assertThat(e.error()).isEqualTo("stale_parent");
            assertThat(e.details()).containsEntry("current_sha", landed);
        });
        assertThat(repository.exactRef("refs/heads/main").getObjectId().name()).isEqualTo(landed);
    }

    @Test
    void pushProtectionSeesTheNewCommitBeforeTheRefMovesAndCanRefuseIt() throws Exception {
        List<List<ReceiveCommand>> seen = new ArrayList<>();
        RepositoryWriter.Guard live = (repo, commands) -> {
            seen.add(commands);
            try {
                assertThat(repo.exactRef("refs/heads/main").getObjectId().name()).as("no ref moved yet").isEqualTo(tip);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return new PushProtection.Verdict(List.of(new PushProtection.LiveKey(commands.get(0).getNewId().name(), "deploy.env",
                    2, "kw_prod_r_AbCdEfGh", true)), List.of(), null);
        };
        assertThatThrownBy(() -> writer(live).commit(plan("main", tip, write("deploy.env", "x\n")), AGENT))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(422);
                    assertThat(e.error()).isEqualTo("secret_detected");
                    assertThat(e.details().get("leaks")).isEqualTo(List.of(Map.of("path", "deploy.env", "line", 2,
                            "key_prefix", "kw_prod_r_AbCdEfGh", "revoked", true)));
                });
        assertThat(seen).hasSize(1);
        assertThat(seen.get(0).get(0).getOldId().name()).isEqualTo(tip);
        assertThat(seen.get(0).get(0).getRefName()).isEqualTo("refs/heads/main");

        RepositoryWriter.Guard down = (repo, commands) -> new PushProtection.Verdict(List.of(), List.of(), "cannot check now");
        assertThatThrownBy(() -> writer(down).commit(plan("main", tip, write("deploy.env", "x\n")), AGENT))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(503));
        assertThat(repository.exactRef("refs/heads/main").getObjectId().name()).isEqualTo(tip);
    }

    @Test
    void aFileAndADirectoryMayTradePlacesOnlyWhenTheOtherIsDeleted() throws Exception {
        assertConflict(plan("main", tip, write("run.sh/inner", "x\n")));
        assertConflict(plan("main", tip, write("src", "x\n")));
        assertConflict(plan("main", tip, write("src", "x\n"), delete("src/a.txt")));
        assertConflict(plan("main", tip, write("n", "x\n"), write("n/m", "y\n")));

        String sha = writer(OPEN).commit(plan("main", tip, write("src", "now a file\n"), delete("src/a.txt"), delete("src/b.txt"),
                delete("run.sh"), write("run.sh/inner", "x\n")), AGENT).sha();
        assertThat(mode(sha, "src")).isEqualTo(FileMode.REGULAR_FILE);
        assertThat(mode(sha, "run.sh/inner")).isEqualTo(FileMode.REGULAR_FILE);
    }

    @Test
    void changesThatChangeNothingOrDeleteNothingAreRefused() {
        assertThatThrownBy(() -> writer(OPEN).commit(plan("main", tip, write("src/a.txt", "a\n")), AGENT))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.error()).isEqualTo("no_changes"));
        assertThatThrownBy(() -> writer(OPEN).commit(plan("main", tip, delete("nope.txt")), AGENT))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.error()).isEqualTo("invalid_change"));
        assertThatThrownBy(() -> writer(OPEN).commit(plan("main", "0".repeat(40).replace('0', '1'), write("x", "x")), AGENT))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.error()).isEqualTo("stale_parent"));
    }

    @Test
    void aNewBranchStartsAtAnExistingCommitOrAsARoot() throws Exception {
        ContentJson.Commit branched = writer(OPEN).commit(plan("topic", tip, write("t.txt", "t\n")), AGENT);
        assertThat(branched.parents()).containsExactly(tip);
        ContentJson.Commit orphan = writer(OPEN).commit(plan("orphan", null, write("o.txt", "o\n")), AGENT);
        assertThat(orphan.parents()).isEmpty();
        assertThatThrownBy(() -> writer(OPEN).commit(plan("other", "2".repeat(40), write("x", "x")), AGENT))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.error()).isEqualTo("unknown_parent"));
    }

    @Test
    void requestsAreCheckedBeforeAnyRepositoryIsTouched() {
        assertThatThrownBy(() -> RepositoryWriter.plan(new CommitRequest("main", "m", null, tip, List.of())))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(400));
        assertThatThrownBy(() -> RepositoryWriter.plan(new CommitRequest("main", " ", null, tip,
                List.of(new CommitRequest.Change("a", b64("x"), null))))).hasMessageContaining("'message' is required");
        assertThatThrownBy(() -> RepositoryWriter.plan(new CommitRequest("main", "m", new CommitRequest.Author("Eve <evil>", "e@x"), tip,
                List.of(new CommitRequest.Change("a", b64("x"), null))))).hasMessageContaining("author.name");
        assertThatThrownBy(() -> RepositoryWriter.plan(new CommitRequest("main", "m", null, tip,
                List.of(new CommitRequest.Change("a", b64("x"), null), new CommitRequest.Change("a", null, true)))))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(422));
        assertThat(RepositoryWriter.plan(new CommitRequest("main", "subject", null, tip,
                List.of(new CommitRequest.Change("a", b64("x"), null)))).message()).isEqualTo("subject\n");
        assertThat(RepositoryWriter.plan(new MergeRequest("main", "topic", null)).message()).isEqualTo("Merge topic into main\n");
    }

    private void assertConflict(RepositoryWriter.CommitPlan plan) {
        assertThatThrownBy(() -> writer(OPEN).commit(plan, AGENT)).as(plan.changes().toString())
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.error()).isEqualTo("path_conflict"));
    }

    private RepositoryWriter writer(RepositoryWriter.Guard guard) {
        return new RepositoryWriter(repository, guard);
    }

    private static RepositoryWriter.CommitPlan plan(String branch, String parent, CommitRequest.Change... changes) {
        return RepositoryWriter.plan(new CommitRequest(branch, "change", null, parent, List.of(changes)));
    }

    private static CommitRequest.Change write(String path, String text) {
        return new CommitRequest.Change(path, b64(text), null);
    }

    private static CommitRequest.Change delete(String path) {
        return new CommitRequest.Change(path, null, true);
    }

    private static String b64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    private FileMode mode(String commit, String path) throws Exception {
        try (RevWalk walk = new RevWalk(repository); TreeWalk tw = TreeWalk.forPath(repository, path,
                walk.parseCommit(ObjectId.fromString(commit)).getTree())) {
            return tw.getFileMode(0);
        }
    }

    private static DirCacheEntry entry(ObjectInserter inserter, String path, FileMode mode, String text) throws Exception {
        DirCacheEntry e = new DirCacheEntry(path);
        e.setFileMode(mode);
        e.setObjectId(inserter.insert(Constants.OBJ_BLOB, text.getBytes(StandardCharsets.UTF_8)));
        return e;
    }
}
