package dev.keyward.repo.service;

import java.time.Instant;

/** A repository's public metadata. */
public record RepositoryInfo(String org, String id, Instant createdAt, String defaultBranch) {
}
