package dev.keyward.repo.content;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** The content API's answers on the wire (docs/api.md, "Repository content"). */
public final class ContentJson {

    private ContentJson() {
    }

    /** An author or committer; {@code date} is ISO-8601 with the offset git recorded. */
    public record Person(String name, String email, String date) {
    }

    /**
     * One commit. {@code time} is the committer time (UTC). {@code stats} and {@code files} are
     * present only for a single commit ({@code GET …/commits/{sha}}): its changes against its first
     * parent (the empty tree for a root commit), as {@code git show --stat} counts them.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Commit(String sha, List<String> parents, Person author, Person committer, String message, String time,
                         Stats stats, List<FileChange> files, Boolean truncated) {
    }

    /** Totals over the files of a commit or a comparison. */
    public record Stats(int files, int additions, int deletions) {
    }

    /**
     * One changed file: {@code status} is {@code added}, {@code modified}, {@code deleted},
     * {@code renamed} or {@code copied}; {@code old_path} only for renames and copies; {@code hunks}
     * only in a comparison, absent for binary files and when the comparison was truncated.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record FileChange(String path, @JsonProperty("old_path") String oldPath, String status, int additions,
                             int deletions, boolean binary, List<Hunk> hunks) {
    }

    /** A unified-diff hunk: its {@code @@} header and its lines, each starting with ' ', '+', '-' or '\'. */
    public record Hunk(@JsonProperty("old_start") int oldStart, @JsonProperty("old_lines") int oldLines,
                       @JsonProperty("new_start") int newStart, @JsonProperty("new_lines") int newLines,
                       String header, List<String> lines) {
    }

    /** One page of history, newest first; {@code next_page_token} is null on the last page. */
    public record CommitPage(List<Commit> commits, @JsonProperty("next_page_token") String nextPageToken) {
    }

    /** A directory at a commit. */
    public record Tree(String commit, String path, List<TreeEntry> entries) {
    }

    /**
     * A directory entry as {@code git ls-tree} shows it: {@code type} {@code blob}, {@code tree} or
     * {@code commit} (a submodule), the octal {@code mode}, and for blobs their {@code size} in bytes.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record TreeEntry(String name, String path, String type, String mode, String sha, Long size) {
    }

    /** The branches and tags; a tag's {@code sha} is the commit it names, {@code tag_sha} its annotated tag object. */
    public record Refs(@JsonProperty("default_branch") String defaultBranch, List<Ref> branches, List<Ref> tags) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Ref(String name, String sha, @JsonProperty("tag_sha") String tagSha) {
    }

    /**
     * A three-dot comparison: the changes from {@code merge_base} to {@code head}. {@code truncated}
     * when files were left out or listed without hunks (limits in docs/api.md).
     */
    public record Compare(String base, String head, @JsonProperty("merge_base") String mergeBase, Stats stats,
                          List<FileChange> files, boolean truncated) {
    }
}
