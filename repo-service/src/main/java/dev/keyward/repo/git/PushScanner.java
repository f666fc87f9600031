package dev.keyward.repo.git;

import dev.keyward.contract.ApiKeyFormat;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.eclipse.jgit.errors.MissingObjectException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectLoader;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevObject;
import org.eclipse.jgit.revwalk.RevSort;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.transport.ReceiveCommand;
import org.eclipse.jgit.transport.ReceivePack;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.eclipse.jgit.treewalk.filter.TreeFilter;

/**
 * Finds Keyward keys in what a push adds (SPEC "Leaked keys": push protection). Plain JGit, no
 * servlet: call {@link #scan(ReceivePack, Collection)} from a {@code PreReceiveHook}, where the
 * pushed objects are already in the repository (JGit does not quarantine them) and no ref has moved.
 * <p>
 * Only the commits the push adds are walked (from the new ids, with every existing ref and every
 * old id uninteresting), and of those only the blobs each commit introduces: a path whose blob
 * differs from the one in every parent (all of them for a root commit). Commits are visited oldest
 * first, so a key is reported once, in the commit that added it. A key only in already pushed history
 * is not reported again.
 * <p>
 * Budgets bound the work: a blob larger than {@link Budgets#maxBlobBytes()} is scanned up to that size,
 * and once {@link Budgets#maxPushBytes()} have been read the rest of the push is not scanned; either
 * way a {@link Skipped} note says so, and the caller decides whether an incomplete scan may pass.
 */
public final class PushScanner {

    /** How much a scan may read: per blob and per push, in bytes. */
    public record Budgets(long maxBlobBytes, long maxPushBytes) {

        /** 10 MiB per blob, 100 MiB per push. */
        public static final Budgets DEFAULT = new Budgets(10L << 20, 100L << 20);

        public Budgets {
            if (maxBlobBytes <= 0 || maxPushBytes <= 0) {
                throw new IllegalArgumentException("scan budgets must be positive");
            }
        }
    }

    /**
     * A checksum-valid key in a pushed blob. {@link #key()} is the secret (for the lookup and a
     * revocation); {@link #toString()} shows only its display prefix, so a finding can be logged.
     */
    public record Finding(String key, String commit, String path, int line) {

        /** The display prefix: what the refusal message and the {@code token:leaked} event name. */
        public String prefix() {
            return ApiKeyFormat.prefixOf(key);
        }

        @Override
        public String toString() {
            return "Finding[prefix=" + prefix() + ", commit=" + commit + ", path=" + path + ", line=" + line + "]";
        }
    }

    /** Something not (fully) scanned, and why; {@code path} is empty when a whole commit or ref is meant. */
    public record Skipped(String commit, String path, String reason) {
    }

    /** What a scan found, and what it could not scan. */
    public record Result(List<Finding> findings, List<Skipped> skipped) {

        public Result {
            findings = List.copyOf(findings);
            skipped = List.copyOf(skipped);
        }

        /** Whether every blob the push adds was read in full. */
        public boolean complete() {
            return skipped.isEmpty();
        }
    }

    private final Budgets budgets;

    public PushScanner(Budgets budgets) {
        this.budgets = budgets;
    }

    /** The pre-receive hook's view: the push's repository and its commands. */
    public Result scan(ReceivePack pack, Collection<ReceiveCommand> commands) throws IOException {
        return scan(pack.getRepository(), commands);
    }

    /**
     * Scans what {@code commands} add to {@code repository}, whose refs must still be the ones before
     * the push (as in a pre-receive hook). Deletions add nothing.
     */
    public Result scan(Repository repository, Collection<ReceiveCommand> commands) throws IOException {
        List<Finding> findings = new ArrayList<>();
        List<Skipped> skipped = new ArrayList<>();
        try (RevWalk walk = new RevWalk(repository); ObjectReader reader = walk.getObjectReader()) {
            boolean anyStart = false;
            for (ReceiveCommand command : commands) {
                ObjectId newId = command.getNewId();
                if (ObjectId.zeroId().equals(newId)) {
                    continue;
                }
                RevObject tip = walk.peel(walk.parseAny(newId));
                if (tip instanceof RevCommit commit) {
                    walk.markStart(commit);
                    anyStart = true;
                } else {
                    // A ref to a bare tree or blob: rare, and not history a key could be attributed to.
                    skipped.add(new Skipped(newId.name(), "", command.getRefName() + " points at a "
                            + Constants.typeString(tip.getType()) + ", not a commit"));
                }
            }
            if (!anyStart) {
                return new Result(findings, skipped);
            }
            for (ReceiveCommand command : commands) {
                markUninteresting(walk, command.getOldId());
            }
            for (Ref ref : repository.getRefDatabase().getRefs()) {
                markUninteresting(walk, ref.getObjectId());
            }
            walk.sort(RevSort.TOPO);
            walk.sort(RevSort.REVERSE, true);

            Set<ObjectId> seen = new HashSet<>();
            long budgetLeft = budgets.maxPushBytes();
            for (RevCommit commit : walk) {
                try (TreeWalk tree = new TreeWalk(reader)) {
                    tree.setRecursive(true);
                    int parents = commit.getParentCount();
                    for (int p = 0; p < parents; p++) {
                        tree.addTree(walk.parseCommit(commit.getParent(p)).getTree());
                    }
                    int self = tree.addTree(commit.getTree());
                    if (parents > 0) {
                        tree.setFilter(TreeFilter.ANY_DIFF); // skips subtrees equal in all of them
                    }
                    while (tree.next()) {
                        if ((tree.getRawMode(self) & FileMode.TYPE_MASK) != FileMode.TYPE_FILE
                                && tree.getFileMode(self) != FileMode.SYMLINK) {
                            continue; // gitlinks, deletions
                        }
                        ObjectId blob = tree.getObjectId(self);
                        if (!introduced(tree, self, blob) || !seen.add(blob)) {
                            continue;
                        }
                        String path = tree.getPathString();
                        if (budgetLeft <= 0) {
                            skipped.add(new Skipped(commit.name(), path,
                                    "push scan budget of " + budgets.maxPushBytes() + " bytes reached; the rest of the push was not scanned"));
                            return new Result(findings, skipped);
                        }
                        ObjectLoader loader = reader.open(blob, Constants.OBJ_BLOB);
                        long size = loader.getSize();
                        long limit = Math.min(budgets.maxBlobBytes(), budgetLeft);
                        byte[] content = read(loader, limit);
                        budgetLeft -= content.length;
                        if (size > content.length) {
                            skipped.add(new Skipped(commit.name(), path, "blob of " + size + " bytes scanned up to "
                                    + content.length + " bytes (" + (limit == budgets.maxBlobBytes() ? "blob" : "push")
                                    + " scan budget)"));
                        }
                        for (ApiKeyFormat.FoundKey key : ApiKeyFormat.findKeys(content).keys()) {
                            findings.add(new Finding(key.key(), commit.name(), path, key.line()));
                        }
                    }
                }
            }
        }
        return new Result(findings, skipped);
    }

    /** Whether the blob at {@code self} differs from the one at that path in every parent tree. */
    private static boolean introduced(TreeWalk tree, int self, ObjectId blob) {
        for (int p = 0; p < self; p++) {
            if (tree.idEqual(p, self)) {
                return false;
            }
        }
        return true;
    }

    private static void markUninteresting(RevWalk walk, ObjectId id) throws IOException {
        if (id == null || ObjectId.zeroId().equals(id)) {
            return;
        }
        try {
            RevObject peeled = walk.peel(walk.parseAny(id));
            if (peeled instanceof RevCommit commit) {
                walk.markUninteresting(commit);
            }
        } catch (MissingObjectException e) {
            // A ref to an object that is gone cannot hide anything new.
        }
    }

    /** At most {@code limit} bytes of a blob, streamed so a huge one is never loaded whole. */
    private static byte[] read(ObjectLoader loader, long limit) throws IOException {
        if (!loader.isLarge() && loader.getSize() <= limit) {
            return loader.getCachedBytes();
        }
        try (InputStream in = loader.openStream()) {
            return in.readNBytes((int) Math.min(limit, Integer.MAX_VALUE - 8));
        }
    }
}
