package dev.keyward.audit.service;

import dev.keyward.events.EventCodec;
import dev.keyward.events.KeywardEvent;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * Walks one org's chain in {@code seq} order and reports the first link that does not hold. Fed row
 * by row so that a chain of any length is checked in constant memory.
 */
public final class ChainVerifier {

    /** Reasons a link is broken (the {@code reason} of a verify report). */
    public static final String ROW_MISSING = "row_missing";
    public static final String PREV_HASH_MISMATCH = "prev_hash_mismatch";
    public static final String HASH_MISMATCH = "hash_mismatch";
    public static final String COLUMNS_MISMATCH = "columns_mismatch";
    public static final String HEAD_MISMATCH = "head_mismatch";

    /** The first broken link: {@code eventId} is null when the row itself is gone. */
    public record Break(long seq, String eventId, String reason) {
    }

    /** One row as read for verification. */
    public record Row(long seq, String eventId, String type, Instant time, String subject, String actor,
                      String keyPrefix, String repo, String clientIp, String content, byte[] prevHash, byte[] hash) {
    }

    private final String org;
    private long lastSeq;
    private byte[] lastHash;
    private long checked;

    /** Starts after {@code anchorSeq} (0 and the genesis hash when nothing was ever purged). */
    public ChainVerifier(String org, long anchorSeq, byte[] anchorHash) {
        this.org = org;
        this.lastSeq = anchorSeq;
        this.lastHash = anchorHash;
    }

    public long checked() {
        return checked;
    }

    /** Checks the next row; empty while the chain holds. */
    public Optional<Break> accept(Row row) {
        if (row.seq() != lastSeq + 1) {
            return Optional.of(new Break(lastSeq + 1, null, ROW_MISSING));
        }
        if (!Arrays.equals(row.prevHash(), lastHash)) {
            return Optional.of(new Break(row.seq(), row.eventId(), PREV_HASH_MISMATCH));
        }
        if (!Arrays.equals(row.hash(), HashChain.link(lastHash, org, row.seq(), row.content()))) {
            return Optional.of(new Break(row.seq(), row.eventId(), HASH_MISMATCH));
        }
        if (!columnsMatchContent(row)) {
            return Optional.of(new Break(row.seq(), row.eventId(), COLUMNS_MISMATCH));
        }
        checked++;
        lastSeq = row.seq();
        lastHash = row.hash();
        return Optional.empty();
    }

    /** After the last row: the chain must end exactly at the recorded head. */
    public Optional<Break> finish(long headSeq, byte[] headHash) {
        if (lastSeq < headSeq) {
            return Optional.of(new Break(lastSeq + 1, null, ROW_MISSING));
        }
        if (lastSeq != headSeq || !Arrays.equals(lastHash, headHash)) {
            return Optional.of(new Break(lastSeq, null, HEAD_MISMATCH));
        }
        return Optional.empty();
    }

    // The hash covers the content; the filter columns are copies of it and must not drift from it,
    // or a filtered listing or export could hide or misattribute an event.
    private boolean columnsMatchContent(Row row) {
        KeywardEvent event;
        try {
            event = EventCodec.fromJson(row.content());
        } catch (RuntimeException e) {
            return false;
        }
        return event.id().equals(row.eventId())
                && event.type().wireName().equals(row.type())
                && event.data().org().equals(org)
                && event.time().truncatedTo(ChronoUnit.MICROS).equals(row.time())
                && Objects.equals(event.subject(), row.subject())
                && Objects.equals(event.data().actor(), row.actor())
                && Objects.equals(event.data().keyPrefix(), row.keyPrefix())
                && Objects.equals(event.data().repo(), row.repo())
                && Objects.equals(event.data().clientIp(), row.clientIp());
    }
}
