package dev.keyward.repo.rest;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.keyward.repo.service.RepositoryInfo;
import java.time.Instant;

/** A repository on the wire. */
public record RepositoryJson(String id, @JsonProperty("created_at") Instant createdAt,
                             @JsonProperty("default_branch") String defaultBranch) {

    static RepositoryJson of(RepositoryInfo info) {
        return new RepositoryJson(info.id(), info.createdAt(), info.defaultBranch());
    }
}
