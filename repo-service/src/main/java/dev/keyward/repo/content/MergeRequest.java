package dev.keyward.repo.content;

/** Body of {@code POST /v1/repos/{id}/merges}: merge {@code head} (a branch, tag or commit) into branch {@code base}. */
public record MergeRequest(String base, String head, String message) {
}
