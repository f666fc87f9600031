package dev.keyward.repo.content;

import dev.keyward.contract.ApiException;
import dev.keyward.repo.git.PushProtection;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.eclipse.jgit.dircache.DirCache;
import org.eclipse.jgit.dircache.DirCacheBuilder;
import org.eclipse.jgit.dircache.DirCacheEditor;
import org.eclipse.jgit.dircache.DirCacheEntry;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.merge.MergeStrategy;
import org.eclipse.jgit.merge.ResolveMerger;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.transport.ReceiveCommand;

/**
 * The write side of the content API on one open repository: a commit of file changes, a merge.
 * Each builds its objects first, passes push protection like a push ({@link Guard}), then moves
 * the branch with a compare-and-set on the tip it started from: if the branch moved meanwhile (a
 * push, another API call) nothing is overwritten and the answer is 409. Plain JGit, blocking.
 */
public final class RepositoryWriter {

    public static final int MAX_CHANGES = 1000;
    public static final int MAX_MESSAGE_LENGTH = 65_536;
    private static final int MAX_NAME_LENGTH = 256;

    /** Decides whether a ref update may land (push protection), with the objects in and no ref moved. */
    @FunctionalInterface
    public interface Guard {
        PushProtection.Verdict inspect(Repository repository, List<ReceiveCommand> commands);
    }

    /** A commit request, checked: what {@link #commit} does; {@code author} null means the committer. */
    public record CommitPlan(String branch, String message, CommitRequest.Author author, ObjectId parent,
                             List<FileWrite> changes) {
    }

    /** A merge request, checked: {@code base} as a full branch name. */
    public record MergePlan(String base, Rev head, String message) {
    }

    /** One change of a plan: {@code content} null means delete. */
    public record FileWrite(String path, byte[] content) {
    }

    private final Repository repository;
    private final Guard guard;

    public RepositoryWriter(Repository repository, Guard guard) {
        this.repository = repository;
        this.guard = guard;
    }

    /**
     * Checks a commit request without touching a repository: 400 for a missing or malformed field
     * (named as the body names it), 422 for a request that breaks a rule of the call.
     */
    public static CommitPlan plan(CommitRequest request) {
        if (request == null) {
            throw ApiException.badRequest("invalid_request", "a JSON body is required");
        }
        String branch = ContentInput.branch(request.branch(), "branch");
        String message = message(request.message(), "message");
        CommitRequest.Author author = null;
        if (request.author() != null) {
            author = new CommitRequest.Author(identityPart(request.author().name(), "author.name"),
                    identityPart(request.author().email(), "author.email"));
        }
        ObjectId parent = ContentInput.optionalSha(request.parentSha(), "parent_sha");
        List<CommitRequest.Change> changes = request.changes();
        if (changes == null || changes.isEmpty()) {
            throw ApiException.badRequest("invalid_request", "'changes' is required: at least one file to write or delete");
        }
        if (changes.size() > MAX_CHANGES) {
            throw ApiException.unprocessable("invalid_request", "at most " + MAX_CHANGES + " changes per commit");
        }
        List<FileWrite> writes = new ArrayList<>(changes.size());
        Set<String> paths = new HashSet<>();
        for (int i = 0; i < changes.size(); i++) {
            CommitRequest.Change change = changes.get(i);
            String field = "changes[" + i + "]";
            if (change == null) {
                throw ApiException.badRequest("invalid_request", "'" + field + "' must be an object");
            }
            String path = ContentInput.pathToWrite(change.path(), "'" + field + ".path'");
            if (!paths.add(path)) {
                throw ApiException.unprocessable("invalid_request", "'" + field + ".path' names a file another change names");
            }
            boolean delete = Boolean.TRUE.equals(change.delete());
            if (delete == (change.contentBase64() != null)) {
                throw ApiException.unprocessable("invalid_request",
                        "'" + field + "' must have either content_base64 or delete: true");
            }
            byte[] content = null;
            if (!delete) {
                try {
                    content = Base64.getDecoder().decode(change.contentBase64());
                } catch (IllegalArgumentException e) {
                    throw ApiException.badRequest("invalid_request", "'" + field + ".content_base64' is not valid base64");
                }
            }
            writes.add(new FileWrite(path, content));
        }
        return new CommitPlan(branch, message, author, parent, List.copyOf(writes));
    }

    /** Checks a merge request; the message defaults to git's "Merge <head> into <base>". */
    public static MergePlan plan(MergeRequest request) {
        if (request == null) {
            throw ApiException.badRequest("invalid_request", "a JSON body is required");
        }
        String base = ContentInput.branch(request.base(), "base");
        Rev head = ContentInput.rev(request.head(), "head");
        String message = request.message() == null
                ? "Merge " + head.text() + " into " + Repository.shortenRefName(base) + "\n"
                : message(request.message(), "message");
        return new MergePlan(base, head, message);
    }

    /**
     * Commits {@code plan} on its branch. The parent must be the branch's tip (409 {@code stale_parent}
     * otherwise), or absent for a branch that does not exist yet (a root commit).
     */
    public ContentJson.Commit commit(CommitPlan plan, PersonIdent committer) throws IOException {
        try (RevWalk walk = new RevWalk(repository); ObjectInserter inserter = repository.newObjectInserter()) {
            Ref current = repository.exactRef(plan.branch());
            ObjectId tip = current == null ? null : current.getObjectId();
            RevCommit parent = null;
            if (tip != null) {
                if (!tip.equals(plan.parent())) {
                    throw stale(plan.branch(), tip);
                }
                parent = walk.parseCommit(tip);
            } else if (plan.parent() != null) {
                // A new branch starting at an existing commit (one a branch or tag reaches).
                parent = Revisions.find(repository, walk, new Rev(plan.parent().name(), plan.parent(), null))
                        .orElseThrow(() -> ApiException.unprocessable("unknown_parent",
                                "parent_sha " + plan.parent().name() + " is not a commit of this repository"));
            }
            ObjectId tree = writeTree(inserter, parent, plan.changes());
            if (parent != null && tree.equals(parent.getTree())) {
                throw ApiException.unprocessable("no_changes", "the changes leave every file as it is at the parent");
            }
            CommitBuilder commit = new CommitBuilder();
            commit.setTreeId(tree);
            if (parent != null) {
                commit.setParentId(parent);
            }
            commit.setAuthor(plan.author() == null ? committer : new PersonIdent(plan.author().name(),
                    plan.author().email(), committer.getWhenAsInstant(), committer.getZoneId()));
            commit.setCommitter(committer);
            commit.setMessage(plan.message());
            ObjectId id = inserter.insert(commit);
            inserter.flush();
            land(plan.branch(), tip, id, committer, "commit (keyward api)");
            return RepositoryBrowser.commitJson(walk.parseCommit(id), null, null, null);
        }
    }

    /**
     * Merges {@code head} into branch {@code base} with a merge commit (also when a fast-forward
     * would do). 409 {@code merge_conflict} listing the paths when the two conflict; 422
     * {@code nothing_to_merge} when {@code base} already contains {@code head}.
     */
    public ContentJson.Commit merge(MergePlan plan, PersonIdent committer) throws IOException {
        Rev head = plan.head();
        try (RevWalk walk = new RevWalk(repository); ObjectInserter inserter = repository.newObjectInserter()) {
            Ref current = repository.exactRef(plan.base());
            if (current == null || current.getObjectId() == null) {
                throw ApiException.notFound("branch " + Repository.shortenRefName(plan.base()) + " does not exist");
            }
            RevCommit baseTip = walk.parseCommit(current.getObjectId());
            RevCommit headCommit = Revisions.commit(repository, walk, head);
            if (walk.isMergedInto(headCommit, baseTip)) {
                throw ApiException.unprocessable("nothing_to_merge",
                        Repository.shortenRefName(plan.base()) + " already contains " + head.text());
            }
            walk.reset();
            if (RepositoryBrowser.mergeBase(walk, baseTip, headCommit).isEmpty()) {
                throw ApiException.unprocessable("no_merge_base", "the two have no common history");
            }
            ResolveMerger merger = (ResolveMerger) MergeStrategy.RECURSIVE.newMerger(repository, true);
            if (!merger.merge(baseTip, headCommit)) {
                Set<String> conflicts = new TreeSet<>(merger.getUnmergedPaths());
                if (merger.getFailingPaths() != null) {
                    conflicts.addAll(merger.getFailingPaths().keySet());
                }
                Map<String, Object> details = new LinkedHashMap<>();
                details.put("conflicts", List.copyOf(conflicts));
                throw new ApiException(409, "merge_conflict", conflicts.size() + " path"
                        + (conflicts.size() == 1 ? "" : "s") + " conflict; no ref moved", details);
            }
            CommitBuilder commit = new CommitBuilder();
            commit.setTreeId(merger.getResultTreeId());
            commit.setParentIds(baseTip, headCommit);
            commit.setAuthor(committer);
            commit.setCommitter(committer);
            commit.setMessage(plan.message());
            ObjectId id = inserter.insert(commit);
            inserter.flush();
            land(plan.base(), baseTip, id, committer, "merge (keyward api)");
            return RepositoryBrowser.commitJson(walk.parseCommit(id), null, null, null);
        }
    }

    /** The parent's tree with the changes applied; 422 when a change cannot apply to it. */
    private ObjectId writeTree(ObjectInserter inserter, RevCommit parent, List<FileWrite> changes) throws IOException {
        DirCache index = DirCache.newInCore();
        if (parent != null) {
            try (ObjectReader reader = repository.newObjectReader()) {
                DirCacheBuilder builder = index.builder();
                builder.addTree(new byte[0], DirCacheEntry.STAGE_0, reader, parent.getTree());
                builder.finish();
            }
        }
        refuseFileDirectoryClashes(index, changes);
        DirCacheEditor editor = index.editor();
        for (FileWrite change : changes) {
            DirCacheEntry existing = index.getEntry(change.path());
            if (change.content() == null) {
                if (existing == null) {
                    throw ApiException.unprocessable("invalid_change", change.path() + " does not exist, so it cannot be deleted");
                }
                editor.add(new DirCacheEditor.DeletePath(change.path()));
                continue;
            }
            // Content writes make regular files; an executable file stays executable.
            FileMode mode = existing != null && existing.getFileMode() == FileMode.EXECUTABLE_FILE
                    ? FileMode.EXECUTABLE_FILE : FileMode.REGULAR_FILE;
            ObjectId blob = inserter.insert(Constants.OBJ_BLOB, change.content());
            editor.add(new DirCacheEditor.PathEdit(change.path()) {
                @Override
                public void apply(DirCacheEntry entry) {
                    entry.setFileMode(mode);
                    entry.setObjectId(blob);
                }
            });
        }
        editor.finish();
        return index.writeTree(inserter);
    }

    /**
     * A written path must not sit under a file, nor replace a directory, unless the same request
     * deletes what is in the way: git could not check the tree out, and JGit's index editor would
     * silently drop the other side. Checked against the parent's tree, before any edit.
     */
    private static void refuseFileDirectoryClashes(DirCache parent, List<FileWrite> changes) {
        Set<String> written = new HashSet<>();
        Set<String> deleted = new HashSet<>();
        for (FileWrite change : changes) {
            (change.content() == null ? deleted : written).add(change.path());
        }
        for (String path : written) {
            for (int slash = path.indexOf('/'); slash > 0; slash = path.indexOf('/', slash + 1)) {
                String dir = path.substring(0, slash);
                if (written.contains(dir) || (parent.getEntry(dir) != null && !deleted.contains(dir))) {
                    throw ApiException.unprocessable("path_conflict",
                            path + " would be inside " + dir + ", which is a file; delete it in the same commit");
                }
            }
            for (DirCacheEntry inside : parent.getEntriesWithin(path)) {
                if (!deleted.contains(inside.getPathString())) {
                    throw ApiException.unprocessable("path_conflict",
                            path + " is a directory; delete its files in the same commit to replace it with a file");
                }
            }
        }
    }

    /** Push protection, then the compare-and-set of the branch from {@code expected} to {@code commit}. */
    private void land(String branch, ObjectId expected, ObjectId commit, PersonIdent who, String why) throws IOException {
        ObjectId old = expected == null ? ObjectId.zeroId() : expected;
        PushProtection.Verdict verdict = guard.inspect(repository, List.of(new ReceiveCommand(old, commit, branch)));
        if (verdict.unchecked() != null) {
            throw new ApiException(503, "unavailable", verdict.unchecked());
        }
        if (!verdict.live().isEmpty()) {
            List<Map<String, Object>> leaks = new ArrayList<>();
            for (PushProtection.LiveKey key : verdict.live()) {
                Map<String, Object> leak = new LinkedHashMap<>();
                leak.put("path", key.path());
                leak.put("line", key.line());
                leak.put("key_prefix", key.keyPrefix());
                leak.put("revoked", key.revoked());
                leaks.add(leak);
            }
            throw new ApiException(422, "secret_detected", "the commit adds " + leaks.size() + " live Keyward key"
                    + (leaks.size() == 1 ? "" : "s") + "; nothing was committed. Remove the key and create a new one if you need it",
                    Map.of("leaks", leaks));
        }
        RefUpdate update = repository.updateRef(branch);
        update.setExpectedOldObjectId(old);
        update.setNewObjectId(commit);
        update.setRefLogIdent(who);
        update.setRefLogMessage(why, false);
        RefUpdate.Result result = update.update();
        switch (result) {
            case NEW, FAST_FORWARD -> {
            }
            case LOCK_FAILURE, REJECTED, REJECTED_CURRENT_BRANCH -> {
                Ref now = repository.exactRef(branch);
                throw stale(branch, now == null ? null : now.getObjectId());
            }
            default -> throw new IOException("cannot update " + branch + ": " + result);
        }
    }

    /** The branch is not where the request expected it: nothing was written. */
    private static ApiException stale(String branch, ObjectId tip) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("current_sha", tip == null ? null : tip.name());
        String name = Repository.shortenRefName(branch);
        return new ApiException(409, "stale_parent", tip == null
                ? "branch " + name + " does not exist (any more); nothing was written"
                : "branch " + name + " is at " + tip.name() + ", not where this request expected it; nothing was written:"
                        + " build on " + tip.name() + " and try again", details);
    }

    private static String message(String value, String field) {
        if (value == null || value.isBlank()) {
            throw ApiException.badRequest("invalid_request", "'" + field + "' is required");
        }
        if (value.length() > MAX_MESSAGE_LENGTH) {
            throw ApiException.unprocessable("invalid_request", "'" + field + "' is longer than " + MAX_MESSAGE_LENGTH + " characters");
        }
        if (value.indexOf('\0') >= 0) {
            throw ApiException.badRequest("invalid_request", "'" + field + "' must not contain NUL");
        }
        return value.endsWith("\n") ? value : value + "\n"; // as git commit stores it
    }

    /** An author's name or e-mail: what git can store in a commit header. */
    private static String identityPart(String value, String field) {
        if (value == null || value.isBlank()) {
            throw ApiException.badRequest("invalid_request", "'" + field + "' is required with an author");
        }
        if (value.length() > MAX_NAME_LENGTH || value.chars().anyMatch(c -> c == '<' || c == '>' || Character.isISOControl(c))) {
            throw ApiException.badRequest("invalid_request", "'" + field + "' must be at most " + MAX_NAME_LENGTH
                    + " characters without '<', '>' or control characters");
        }
        return value.strip();
    }
}
