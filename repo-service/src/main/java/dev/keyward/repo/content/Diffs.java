package dev.keyward.repo.content;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jgit.diff.DiffAlgorithm;
import org.eclipse.jgit.diff.DiffEntry;
import org.eclipse.jgit.diff.DiffFormatter;
import org.eclipse.jgit.diff.Edit;
import org.eclipse.jgit.diff.RawTextComparator;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.patch.FileHeader;
import org.eclipse.jgit.util.io.NullOutputStream;

/**
 * Diffs the way the git CLI makes them by default, so the API and {@code git diff} / {@code git show}
 * agree on the same commits: Myers' algorithm, rename detection at git's 50% similarity, 3 lines of
 * context, binary files by git's NUL-in-the-first-8000-bytes rule.
 */
final class Diffs {

    /** Most files one commit or comparison lists; the rest are left out and the answer says truncated. */
    static final int MAX_FILES = 1000;
    private static final Pattern HUNK = Pattern.compile("^@@ -(\\d+)(?:,(\\d+))? \\+(\\d+)(?:,(\\d+))? @@.*");

    private Diffs() {
    }

    /** A formatter writing to {@code out}; close it after use. */
    static DiffFormatter formatter(Repository repository, OutputStream out) {
        DiffFormatter f = new DiffFormatter(out);
        f.setRepository(repository);
        f.setDiffAlgorithm(DiffAlgorithm.getAlgorithm(DiffAlgorithm.SupportedAlgorithm.MYERS));
        f.setDiffComparator(RawTextComparator.DEFAULT);
        f.setDetectRenames(true);
        f.getRenameDetector().setRenameScore(50);
        return f;
    }

    /** The changes from tree {@code a} (null: the empty tree) to tree {@code b}, renames paired. */
    static List<DiffEntry> changes(Repository repository, ObjectId a, ObjectId b) throws IOException {
        try (DiffFormatter f = formatter(repository, NullOutputStream.INSTANCE)) {
            return f.scan(a, b);
        }
    }

    /** A changed file with its line counts and no hunks (a commit's file list). */
    static ContentJson.FileChange counted(DiffFormatter f, DiffEntry entry) throws IOException {
        FileHeader header = f.toFileHeader(entry);
        boolean binary = header.getPatchType() != FileHeader.PatchType.UNIFIED;
        int additions = 0;
        int deletions = 0;
        if (!binary) {
            for (Edit edit : header.toEditList()) {
                additions += edit.getLengthB();
                deletions += edit.getLengthA();
            }
        }
        return change(entry, additions, deletions, binary, null);
    }

    /** Formats one file at a time as {@code git diff} prints it, with one formatter and one buffer for all. */
    static final class Unified implements AutoCloseable {

        private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        private final DiffFormatter formatter;

        Unified(Repository repository) {
            formatter = formatter(repository, buffer);
        }

        /** The unified diff of {@code entry}. */
        byte[] of(DiffEntry entry) throws IOException {
            buffer.reset();
            formatter.format(entry);
            formatter.flush();
            return buffer.toByteArray();
        }

        @Override
        public void close() {
            formatter.close();
        }
    }

    /** A changed file with its hunks, read back from its unified diff. */
    static ContentJson.FileChange withHunks(DiffEntry entry, byte[] unified) {
        String text = new String(unified, StandardCharsets.UTF_8);
        List<ContentJson.Hunk> hunks = new ArrayList<>();
        boolean binary = false;
        int additions = 0;
        int deletions = 0;
        Matcher header = null;
        String headerLine = null;
        List<String> lines = null;
        for (String line : text.split("\n", -1)) {
            Matcher m = HUNK.matcher(line);
            if (m.matches()) {
                if (header != null) {
                    hunks.add(hunk(header, headerLine, lines));
                }
                header = m;
                headerLine = line;
                lines = new ArrayList<>();
            } else if (lines != null && !line.isEmpty() && " +-\\".indexOf(line.charAt(0)) >= 0) {
                lines.add(line);
                if (line.charAt(0) == '+') {
                    additions++;
                } else if (line.charAt(0) == '-') {
                    deletions++;
                }
            } else if (lines == null && line.startsWith("Binary files")) {
                binary = true;
            }
        }
        if (header != null) {
            hunks.add(hunk(header, headerLine, lines));
        }
        return change(entry, additions, deletions, binary, binary ? null : hunks);
    }

    private static ContentJson.Hunk hunk(Matcher m, String header, List<String> lines) {
        return new ContentJson.Hunk(Integer.parseInt(m.group(1)), count(m.group(2)), Integer.parseInt(m.group(3)),
                count(m.group(4)), header, List.copyOf(lines));
    }

    /** A hunk header leaves out a count of 1. */
    private static int count(String group) {
        return group == null ? 1 : Integer.parseInt(group);
    }

    private static ContentJson.FileChange change(DiffEntry entry, int additions, int deletions, boolean binary,
                                                List<ContentJson.Hunk> hunks) {
        DiffEntry.ChangeType type = entry.getChangeType();
        String path = type == DiffEntry.ChangeType.DELETE ? entry.getOldPath() : entry.getNewPath();
        String oldPath = type == DiffEntry.ChangeType.RENAME || type == DiffEntry.ChangeType.COPY ? entry.getOldPath() : null;
        String status = switch (type) {
            case ADD -> "added";
            case DELETE -> "deleted";
            case MODIFY -> "modified";
            case RENAME -> "renamed";
            case COPY -> "copied";
        };
        return new ContentJson.FileChange(path, oldPath, status, additions, deletions, binary, hunks);
    }

    /** Totals of a file list. */
    static ContentJson.Stats stats(List<ContentJson.FileChange> files) {
        int additions = 0;
        int deletions = 0;
        for (ContentJson.FileChange f : files) {
            additions += f.additions();
            deletions += f.deletions();
        }
        return new ContentJson.Stats(files.size(), additions, deletions);
    }
}
