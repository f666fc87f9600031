package dev.keyward.audit.service;

import java.time.Instant;

/**
 * What a listing or export asks for; every field but {@code org} is optional (null).
 * {@code since} is inclusive, {@code until} exclusive.
 */
public record EventFilter(String org, String type, String tokenId, String actor, String repo, Instant since,
                          Instant until) {

    public static EventFilter timeRange(String org, Instant since, Instant until) {
        return new EventFilter(org, null, null, null, null, since, until);
    }
}
