package dev.keyward.repo.content;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * Body of {@code POST /v1/repos/{id}/commits}: a commit on {@code branch} whose parent must be
 * {@code parent_sha}, the branch's current tip (null: the branch must not exist yet, and the commit
 * has no parent).
 */
public record CommitRequest(String branch, String message, Author author, @JsonProperty("parent_sha") String parentSha,
                            List<Change> changes) {

    /** The author recorded in the commit; the committer is always the token. */
    public record Author(String name, String email) {
    }

    /** One file written ({@code content_base64}) or removed ({@code delete: true}). */
    public record Change(String path, @JsonProperty("content_base64") String contentBase64, Boolean delete) {
    }
}
