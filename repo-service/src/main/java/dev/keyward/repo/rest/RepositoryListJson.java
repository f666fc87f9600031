package dev.keyward.repo.rest;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** One page of repositories; {@code next_page_token} is null on the last page. */
public record RepositoryListJson(List<RepositoryJson> repositories, @JsonProperty("next_page_token") String nextPageToken) {
}
