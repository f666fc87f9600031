package dev.keyward.repo.content;

import dev.keyward.contract.ApiException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.eclipse.jgit.diff.DiffEntry;
import org.eclipse.jgit.diff.DiffFormatter;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectLoader;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevObject;
import org.eclipse.jgit.revwalk.RevTag;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.revwalk.filter.RevFilter;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.eclipse.jgit.treewalk.filter.AndTreeFilter;
import org.eclipse.jgit.treewalk.filter.PathFilter;
import org.eclipse.jgit.treewalk.filter.TreeFilter;
import org.eclipse.jgit.util.io.NullOutputStream;

/**
 * The read side of the content API on one open repository: history, a commit, a directory, a file,
 * a comparison, the refs. Plain JGit, blocking: call it from a worker thread. Answers agree with the
 * git CLI on the same repository ({@code git log}, {@code git show}, {@code git ls-tree},
 * {@code git diff A...B}); refusals are {@link ApiException}s.
 */
public final class RepositoryBrowser {

    /** A file's bytes, or the requested range of them. */
    public record Blob(byte[] bytes, ByteRange range, long size, String sha) {
    }

    /** A comparison as JSON, or as the unified diff git would print. */
    public record Diff(ContentJson.Compare json, byte[] unified) {
    }

    private final Repository repository;
    private final long maxBytes;

    /** @param maxBytes the most a blob, a range of one, or a unified diff may send */
    public RepositoryBrowser(Repository repository, long maxBytes) {
        this.repository = repository;
        this.maxBytes = maxBytes;
    }

    /**
     * History from {@code rev}, newest first (git's default order), only commits that change
     * {@code path} when it is given (as {@code git log -- <path>}). The page token pins the tip the
     * first page started from, so later pages continue the same history while the branch moves.
     */
    public ContentJson.CommitPage commits(Rev rev, String path, int pageSize, PageToken pageToken) throws IOException {
        try (RevWalk walk = new RevWalk(repository)) {
            RevCommit tip;
            long skip = 0;
            if (pageToken != null) {
                tip = Revisions.commit(repository, walk, new Rev(pageToken.tip().name(), pageToken.tip(), null));
                skip = pageToken.offset();
            } else {
                Optional<RevCommit> found = Revisions.find(repository, walk, rev);
                if (found.isEmpty()) {
                    if (rev == Rev.HEAD) {
                        return new ContentJson.CommitPage(List.of(), null); // an empty repository
                    }
                    throw ApiException.notFound("ref " + rev.text() + " does not exist");
                }
                tip = found.get();
            }
            walk.markStart(tip);
            if (!path.isEmpty()) {
                walk.setTreeFilter(AndTreeFilter.create(PathFilter.create(path), TreeFilter.ANY_DIFF));
            }
            List<ContentJson.Commit> page = new ArrayList<>();
            long seen = 0;
            boolean more = false;
            for (RevCommit c : walk) {
                if (seen++ < skip) {
                    continue;
                }
                if (page.size() == pageSize) {
                    more = true;
                    break;
                }
                page.add(commitJson(c, null, null, null));
            }
            return new ContentJson.CommitPage(page, more ? new PageToken(tip.copy(), skip + pageSize).encode() : null);
        }
    }

    /** One commit with the files it changed against its first parent (all of them for a root commit). */
    public ContentJson.Commit commit(Rev rev) throws IOException {
        try (RevWalk walk = new RevWalk(repository)) {
            RevCommit c = Revisions.commit(repository, walk, rev);
            ObjectId parentTree = c.getParentCount() == 0 ? null : walk.parseCommit(c.getParent(0)).getTree();
            List<ContentJson.FileChange> files = new ArrayList<>();
            boolean truncated = false;
            try (DiffFormatter f = Diffs.formatter(repository, NullOutputStream.INSTANCE)) {
                for (DiffEntry entry : f.scan(parentTree, c.getTree())) {
                    if (files.size() == Diffs.MAX_FILES) {
                        truncated = true;
                        break;
                    }
                    files.add(Diffs.counted(f, entry));
                }
            }
            return commitJson(c, Diffs.stats(files), files, truncated);
        }
    }

    /** A directory at {@code rev} ("" is the root), as {@code git ls-tree <rev> <path>/} lists it. */
    public ContentJson.Tree tree(Rev rev, String path) throws IOException {
        try (RevWalk walk = new RevWalk(repository); ObjectReader reader = repository.newObjectReader()) {
            RevCommit c = Revisions.commit(repository, walk, rev);
            ObjectId tree = c.getTree();
            if (!path.isEmpty()) {
                try (TreeWalk at = TreeWalk.forPath(reader, path, c.getTree())) {
                    if (at == null) {
                        throw ApiException.notFound("no " + path + " at " + rev.text());
                    }
                    if (at.getFileMode(0) != FileMode.TREE) {
                        throw ApiException.notFound(path + " is not a directory at " + rev.text());
                    }
                    tree = at.getObjectId(0);
                }
            }
            List<ContentJson.TreeEntry> entries = new ArrayList<>();
            try (TreeWalk tw = new TreeWalk(reader)) {
                tw.addTree(tree);
                while (tw.next()) {
                    FileMode mode = tw.getFileMode(0);
                    ObjectId id = tw.getObjectId(0);
                    String type = mode == FileMode.TREE ? "tree" : mode == FileMode.GITLINK ? "commit" : "blob";
                    Long size = type.equals("blob") ? reader.getObjectSize(id, Constants.OBJ_BLOB) : null;
                    String name = tw.getNameString();
                    entries.add(new ContentJson.TreeEntry(name, path.isEmpty() ? name : path + "/" + name, type,
                            String.format("%06o", mode.getBits()), id.name(), size));
                }
            }
            return new ContentJson.Tree(c.name(), path, entries);
        }
    }

    /**
     * The bytes of the file at {@code path} in {@code rev}, or the single range {@code rangeHeader}
     * asks for. 413 when what would be sent is larger than the limit (a range of a larger file is fine).
     */
    public Blob blob(Rev rev, String path, String rangeHeader) throws IOException {
        try (RevWalk walk = new RevWalk(repository); ObjectReader reader = repository.newObjectReader()) {
            RevCommit c = Revisions.commit(repository, walk, rev);
            ObjectId id;
            try (TreeWalk at = TreeWalk.forPath(reader, path, c.getTree())) {
                if (at == null) {
                    throw ApiException.notFound("no " + path + " at " + rev.text());
                }
                FileMode mode = at.getFileMode(0);
                if (mode == FileMode.TREE || mode == FileMode.GITLINK) {
                    throw ApiException.notFound(path + " is " + (mode == FileMode.TREE ? "a directory" : "a submodule")
                            + " at " + rev.text() + ", not a file");
                }
                id = at.getObjectId(0);
            }
            ObjectLoader loader = reader.open(id, Constants.OBJ_BLOB);
            long size = loader.getSize();
            ByteRange range = ByteRange.of(rangeHeader, size);
            if (!range.satisfiable()) {
                return new Blob(new byte[0], range, size, id.name());
            }
            if (range.length() > maxBytes) {
                throw new ApiException(413, "blob_too_large", path + " is " + size + " bytes; at most " + maxBytes
                        + " bytes are sent at once: ask for ranges (Range: bytes=0-" + (maxBytes - 1) + "), or clone");
            }
            byte[] bytes;
            if (!range.partial() && !loader.isLarge()) {
                bytes = loader.getCachedBytes();
            } else {
                try (InputStream in = loader.openStream()) {
                    in.skipNBytes(range.start());
                    bytes = in.readNBytes((int) range.length());
                }
            }
            return new Blob(bytes, range, size, id.name());
        }
    }

    /**
     * {@code git diff base...head}: from the merge base of the two to {@code head}. JSON with hunks,
     * or the unified diff; either is bounded by the byte limit (the JSON lists the files beyond it
     * with their counts only, and says {@code truncated}; the unified diff is refused with 413).
     */
    public Diff compare(Rev base, Rev head, boolean unified) throws IOException {
        try (RevWalk walk = new RevWalk(repository)) {
            RevCommit baseCommit = Revisions.commit(repository, walk, base);
            RevCommit headCommit = Revisions.commit(repository, walk, head);
            RevCommit mergeBase = mergeBase(walk, baseCommit, headCommit)
                    .orElseThrow(() -> ApiException.unprocessable("no_merge_base",
                            base.text() + " and " + head.text() + " have no common history"));
            List<DiffEntry> entries = Diffs.changes(repository, mergeBase.getTree(), headCommit.getTree());
            if (unified) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                try (Diffs.Unified diff = new Diffs.Unified(repository)) {
                    for (DiffEntry entry : entries) {
                        out.writeBytes(diff.of(entry));
                        if (out.size() > maxBytes) {
                            throw new ApiException(413, "diff_too_large", "the diff is larger than " + maxBytes
                                    + " bytes; ask for JSON (it lists every file), or fetch and diff locally");
                        }
                    }
                }
                return new Diff(null, out.toByteArray());
            }
            List<ContentJson.FileChange> files = new ArrayList<>();
            long budget = maxBytes;
            boolean truncated = false;
            try (DiffFormatter counter = Diffs.formatter(repository, NullOutputStream.INSTANCE);
                 Diffs.Unified unifiedDiff = new Diffs.Unified(repository)) {
                for (DiffEntry entry : entries) {
                    if (files.size() == Diffs.MAX_FILES) {
                        truncated = true;
                        break;
                    }
                    if (budget > 0) {
                        byte[] diff = unifiedDiff.of(entry);
                        budget -= diff.length;
                        if (budget >= 0) {
                            files.add(Diffs.withHunks(entry, diff));
                            continue;
                        }
                    }
                    truncated = true;
                    files.add(Diffs.counted(counter, entry));
                }
            }
            return new Diff(new ContentJson.Compare(baseCommit.name(), headCommit.name(), mergeBase.name(),
                    Diffs.stats(files), files, truncated), null);
        }
    }

    /** The branches and tags, by name, and the branch HEAD names. */
    public ContentJson.Refs refs() throws IOException {
        List<ContentJson.Ref> branches = new ArrayList<>();
        List<ContentJson.Ref> tags = new ArrayList<>();
        try (RevWalk walk = new RevWalk(repository)) {
            for (Ref ref : repository.getRefDatabase().getRefsByPrefix(Constants.R_HEADS)) {
                if (ref.getObjectId() != null) {
                    branches.add(new ContentJson.Ref(Repository.shortenRefName(ref.getName()), ref.getObjectId().name(), null));
                }
            }
            for (Ref ref : repository.getRefDatabase().getRefsByPrefix(Constants.R_TAGS)) {
                if (ref.getObjectId() == null) {
                    continue;
                }
                RevObject object = walk.parseAny(ref.getObjectId());
                String tagSha = object instanceof RevTag ? object.name() : null;
                tags.add(new ContentJson.Ref(Repository.shortenRefName(ref.getName()), walk.peel(object).name(), tagSha));
            }
        }
        Ref head = repository.exactRef(Constants.HEAD);
        String defaultBranch = head == null ? null : Repository.shortenRefName(head.getTarget().getName());
        return new ContentJson.Refs(defaultBranch, sorted(branches), sorted(tags));
    }

    private static List<ContentJson.Ref> sorted(List<ContentJson.Ref> refs) {
        refs.sort(Comparator.comparing(ContentJson.Ref::name));
        return refs;
    }

    /** The first merge base git would pick for {@code a...b}, if they share history. */
    static Optional<RevCommit> mergeBase(RevWalk walk, RevCommit a, RevCommit b) throws IOException {
        walk.reset();
        walk.setRevFilter(RevFilter.MERGE_BASE);
        walk.markStart(walk.parseCommit(a));
        walk.markStart(walk.parseCommit(b));
        RevCommit base = walk.next();
        walk.reset();
        walk.setRevFilter(RevFilter.ALL);
        return Optional.ofNullable(base);
    }

    /** A commit on the wire; {@code stats}, {@code files} and {@code truncated} only for a single commit. */
    static ContentJson.Commit commitJson(RevCommit c, ContentJson.Stats stats, List<ContentJson.FileChange> files,
                                         Boolean truncated) {
        List<String> parents = new ArrayList<>(c.getParentCount());
        for (RevCommit p : c.getParents()) {
            parents.add(p.name());
        }
        return new ContentJson.Commit(c.name(), parents, person(c.getAuthorIdent()), person(c.getCommitterIdent()),
                c.getFullMessage(), c.getCommitterIdent().getWhenAsInstant().toString(), stats, files,
                files == null ? null : truncated);
    }

    private static ContentJson.Person person(PersonIdent ident) {
        return new ContentJson.Person(ident.getName(), ident.getEmailAddress(),
                ident.getWhenAsInstant().atOffset(offset(ident)).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
    }

    private static ZoneOffset offset(PersonIdent ident) {
        return ZoneOffset.ofTotalSeconds(ident.getTimeZoneOffset() * 60);
    }

    /** Where the next page of a history starts: the first page's tip and how many commits came before. */
    public record PageToken(ObjectId tip, long offset) {

        String encode() {
            return Base64.getUrlEncoder().withoutPadding().encodeToString((tip.name() + ":" + offset).getBytes(StandardCharsets.US_ASCII));
        }

        /** The token of a {@code page_token} parameter; null when absent, 400 when it is not one of ours. */
        public static PageToken decode(String token) {
            if (token == null || token.isEmpty()) {
                return null;
            }
            try {
                String text = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.US_ASCII);
                int colon = text.indexOf(':');
                ObjectId tip = ObjectId.fromString(text.substring(0, colon));
                long offset = Long.parseLong(text.substring(colon + 1));
                if (offset < 0) {
                    throw new IllegalArgumentException();
                }
                return new PageToken(tip, offset);
            } catch (RuntimeException e) {
                throw ApiException.badRequest("invalid_page_token", "page_token is not one this service issued");
            }
        }
    }
}
