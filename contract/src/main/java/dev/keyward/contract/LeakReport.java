package dev.keyward.contract;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * Keys found where they must not be (a push, a scanner's report), as repo-service sends them to
 * token-service ({@code POST /internal/leaks}, docs/internal-contracts.md), and the answer. The one
 * pair of records both sides bind.
 *
 * @param source   {@code push} or {@code report}
 * @param repoOrg  the org of the repository the keys were pushed to
 * @param repo     the repository id
 * @param findings each key and where it was found
 */
public record LeakReport(String source, @JsonProperty("repo_org") String repoOrg, String repo, List<Finding> findings) {

    /** One key found: the raw key (it travels only in this internal request body), commit, path and line. */
    public record Finding(String token, String commit, String path, int line) {
        @Override
        public String toString() {
            return "Finding[" + ApiKeyFormat.prefixOf(token) + "…, " + path + ":" + line + "]";
        }
    }

    /** What token-service found, one result per finding, in order. */
    public record Answer(List<Result> results) {
    }

    /**
     * @param keyPrefix the key's display prefix
     * @param live      whether it is a live key (a push holding it is refused)
     * @param revoked   whether this report revoked it (the org's {@code leak_action} is {@code block_and_revoke})
     * @param org       the key's org, when live
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Result(@JsonProperty("key_prefix") String keyPrefix, boolean live, boolean revoked, String org) {
    }
}
