package dev.keyward.repo.service;

import java.util.List;

/** One page of a listing; {@code nextPageToken} is null on the last page. */
public record RepositoryPage(List<RepositoryInfo> repositories, String nextPageToken) {
}
