package dev.keyward.repo.git;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyward.contract.ApiKeyFormat;
import dev.keyward.contract.TokenKind;
import dev.keyward.repo.git.PushScanner.Budgets;
import dev.keyward.repo.git.PushScanner.Finding;
import dev.keyward.repo.git.PushScanner.Result;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
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
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.ReceiveCommand;
import org.eclipse.jgit.transport.ReceivePack;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link PushScanner} on real repositories built with JGit: the state a pre-receive hook sees, with the
 * pushed commits in the object database and the refs still where they were.
 */
class PushScannerTest {

    private static final String MAIN = "refs/heads/main";
    private static final String KEY = ApiKeyFormat.generate(ApiKeyFormat.Environment.PROD, TokenKind.ORG);

    @TempDir
    Path dir;

    private Repository repo;
    private final PushScanner scanner = new PushScanner(Budgets.DEFAULT);

    @BeforeEach
    void bareRepository() throws IOException {
        repo = new FileRepositoryBuilder().setGitDir(dir.resolve("repo.git").toFile()).setBare().build();
        repo.create(true);
    }

    @AfterEach
    void close() {
        repo.close();
    }

    @Test
    void aKeyInTheThirdOfThreeNewCommitsNamesThatCommitPathAndLine() throws IOException {
        ObjectId base = pushed(root(Map.of("README.md", "hello\n")));
        ObjectId first = commit(base, Map.of("README.md", "hello\n", "src/App.java", "class App {}\n"));
        ObjectId second = commit(first, Map.of("README.md", "hello, world\n", "src/App.java", "class App {}\n"));
        ObjectId third = commit(second, Map.of("README.md", "hello, world\n", "src/App.java", "class App {}\n",
                "config/app.env", "# settings\nREGION=eu\nKEYWARD_TOKEN=" + KEY + "\n"));

        Result result = scanner.scan(new ReceivePack(repo), List.of(new ReceiveCommand(base, third, MAIN)));

        assertThat(result.findings()).containsExactly(new Finding(KEY, third.name(), "config/app.env", 3));
        assertThat(result.complete()).isTrue();
        assertThat(result.findings().get(0).toString()).doesNotContain(KEY).contains(ApiKeyFormat.prefixOf(KEY));
    }

    @Test
    void aKeyInABinaryLookingFileIsFound() throws IOException {
        byte[] blob = new byte[20_000];
        new Random(3).nextBytes(blob);
        byte[] key = KEY.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(key, 0, blob, 12_345, key.length);
        ObjectId base = pushed(root(Map.of("README.md", "hello\n")));
        ObjectId added = commit(base, Map.of("README.md", "hello\n", "lib/native.so", blob));

        Result result = scanner.scan(repo, List.of(new ReceiveCommand(base, added, MAIN)));

        assertThat(result.findings()).extracting(Finding::key, Finding::commit, Finding::path)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(KEY, added.name(), "lib/native.so"));
    }

    @Test
    void aKeyOnlyInAlreadyPushedHistoryIsNotReportedAgain() throws IOException {
        ObjectId leaked = pushed(root(Map.of("secrets.env", "TOKEN=" + KEY + "\n", "README.md", "a\n")));
        ObjectId next = commit(leaked, Map.of("secrets.env", "TOKEN=" + KEY + "\n", "README.md", "b\n"));

        // An update of main, and a new branch whose history is mostly old.
        assertThat(scanner.scan(repo, List.of(new ReceiveCommand(leaked, next, MAIN))).findings()).isEmpty();
        assertThat(scanner.scan(repo, List.of(new ReceiveCommand(ObjectId.zeroId(), next, "refs/heads/topic"))).findings())
                .isEmpty();
        // A branch pointing at the old commit adds nothing; a deletion neither.
        assertThat(scanner.scan(repo, List.of(new ReceiveCommand(ObjectId.zeroId(), leaked, "refs/heads/copy"),
                new ReceiveCommand(leaked, ObjectId.zeroId(), MAIN))).findings()).isEmpty();
    }

    @Test
    void aNewBranchWithNewHistoryIsScannedFromItsRoot() throws IOException {
        pushed(root(Map.of("README.md", "a\n")));
        ObjectId root = root(Map.of("notes.txt", KEY));
        ObjectId tip = commit(root, Map.of("notes.txt", KEY, "more.txt", "x"));

        Result result = scanner.scan(repo, List.of(new ReceiveCommand(ObjectId.zeroId(), tip, "refs/heads/orphan")));

        assertThat(result.findings()).containsExactly(new Finding(KEY, root.name(), "notes.txt", 1));
    }

    @Test
    void aLookAlikeWithABadChecksumIsNotReported() throws IOException {
        char c = KEY.charAt(20);
        String typo = KEY.substring(0, 20) + (c == 'a' ? 'b' : 'a') + KEY.substring(21);
        ObjectId base = pushed(root(Map.of("README.md", "a\n")));
        ObjectId next = commit(base, Map.of("README.md", "example: " + typo + "\nkw_prod_o_" + "X".repeat(32) + "_000000\n"));

        assertThat(scanner.scan(repo, List.of(new ReceiveCommand(base, next, MAIN))).findings()).isEmpty();
    }

    @Test
    void aKeyKeptThroughAMergeIsReportedOnceInTheCommitThatAddedIt() throws IOException {
        ObjectId base = pushed(root(Map.of("README.md", "a\n")));
        ObjectId side = commit(base, Map.of("README.md", "a\n", "side.txt", KEY));
        ObjectId ours = commit(base, Map.of("README.md", "b\n"));
        ObjectId merge = merge(List.of(ours, side), Map.of("README.md", "b\n", "side.txt", KEY));

        Result result = scanner.scan(repo, List.of(new ReceiveCommand(base, merge, MAIN)));

        assertThat(result.findings()).containsExactly(new Finding(KEY, side.name(), "side.txt", 1));
    }

    @Test
    void theBlobBudgetScansAPrefixAndSaysWhatWasSkipped() throws IOException {
        String big = "x".repeat(4000) + "\n" + KEY + "\n";
        String small = "early " + KEY + "\n" + "y".repeat(4000);
        ObjectId base = pushed(root(Map.of("README.md", "a\n")));
        ObjectId next = commit(base, Map.of("README.md", "a\n", "big.txt", big, "small.txt", small));

        Result result = new PushScanner(new Budgets(1024, 1 << 20)).scan(repo, List.of(new ReceiveCommand(base, next, MAIN)));

        // The key in the first KiB is still found; the one past it is not, and the notes say so.
        assertThat(result.findings()).extracting(Finding::path).containsExactly("small.txt");
        assertThat(result.complete()).isFalse();
        assertThat(result.skipped()).extracting(PushScanner.Skipped::path).containsExactlyInAnyOrder("big.txt", "small.txt");
        assertThat(result.skipped().get(0).reason()).contains("blob scan budget").contains("1024");
    }

    @Test
    void thePushBudgetStopsTheScanWithANote() throws IOException {
        ObjectId base = pushed(root(Map.of("README.md", "a\n")));
        Map<String, Object> files = new LinkedHashMap<>();
        for (int i = 0; i < 10; i++) {
            files.put("f" + i + ".txt", "z".repeat(1000) + i);
        }
        files.put("zz.txt", KEY);
        ObjectId next = commit(base, files);

        Result result = new PushScanner(new Budgets(10_000, 5_000)).scan(repo, List.of(new ReceiveCommand(base, next, MAIN)));

        assertThat(result.findings()).isEmpty();
        assertThat(result.skipped()).last().extracting(PushScanner.Skipped::reason).asString()
                .contains("push scan budget of 5000 bytes reached");
    }

    /** Points main at {@code id}, as an earlier push would have. */
    private ObjectId pushed(ObjectId id) throws IOException {
        RefUpdate update = repo.updateRef(MAIN);
        update.setNewObjectId(id);
        update.setForceUpdate(true);
        assertThat(update.update()).isIn(RefUpdate.Result.NEW, RefUpdate.Result.FORCED);
        return id;
    }

    private ObjectId root(Map<String, ?> files) throws IOException {
        return merge(List.of(), files);
    }

    private ObjectId commit(ObjectId parent, Map<String, ?> files) throws IOException {
        return merge(List.of(parent), files);
    }

    /** Writes a commit with exactly {@code files} (String or byte[] content) without moving any ref. */
    private ObjectId merge(List<ObjectId> parents, Map<String, ?> files) throws IOException {
        try (ObjectInserter inserter = repo.newObjectInserter()) {
            DirCache index = DirCache.newInCore();
            DirCacheBuilder builder = index.builder();
            files.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(file -> {
                Object content = file.getValue();
                byte[] bytes = content instanceof byte[] b ? b : ((String) content).getBytes(StandardCharsets.UTF_8);
                DirCacheEntry entry = new DirCacheEntry(file.getKey());
                entry.setFileMode(FileMode.REGULAR_FILE);
                try {
                    entry.setObjectId(inserter.insert(Constants.OBJ_BLOB, bytes));
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                builder.add(entry);
            });
            builder.finish();
            CommitBuilder commit = new CommitBuilder();
            commit.setTreeId(index.writeTree(inserter));
            commit.setParentIds(parents);
            PersonIdent who = new PersonIdent("test", "test@example.com");
            commit.setAuthor(who);
            commit.setCommitter(who);
            commit.setMessage("change " + files.keySet() + "\n");
            ObjectId id = inserter.insert(commit);
            inserter.flush();
            try (RevWalk walk = new RevWalk(repo)) {
                RevCommit parsed = walk.parseCommit(id);
                assertThat(parsed.getParentCount()).isEqualTo(parents.size());
            }
            return id;
        }
    }
}
