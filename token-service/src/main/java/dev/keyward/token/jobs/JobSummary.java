package dev.keyward.token.jobs;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;

/**
 * What one run of a job did. {@code ran} is false when another replica (or call) held the job's
 * lock, so this call did nothing.
 */
public record JobSummary(String job, boolean ran, Map<String, Long> counts,
                         @JsonProperty("duration_ms") long durationMs) {

    static JobSummary skipped(String job) {
        return new JobSummary(job, false, Map.of(), 0);
    }

    public long count(String name) {
        return counts.getOrDefault(name, 0L);
    }
}
