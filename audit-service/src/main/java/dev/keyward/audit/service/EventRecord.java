package dev.keyward.audit.service;

import java.time.Instant;

/** A stored event as read back: its canonical content and its place in the org's chain. */
public record EventRecord(long seq, Instant time, String content, String hash, String prevHash, Instant ingestedAt) {

    public EventPosition position() {
        return new EventPosition(time, seq);
    }

    /**
     * The event's CloudEvents JSON with an {@code audit} member ({@code seq}, {@code hash},
     * {@code prev_hash}, {@code ingested_at}) added: the form of listings and of each export line.
     */
    public String toJson() {
        // content is a canonical JSON object, so the member can be spliced in before its closing brace.
        return content.substring(0, content.length() - 1)
                + ",\"audit\":{\"seq\":" + seq
                + ",\"hash\":\"" + hash
                + "\",\"prev_hash\":\"" + prevHash
                + "\",\"ingested_at\":\"" + ingestedAt + "\"}}";
    }
}
