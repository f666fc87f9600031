package dev.keyward.audit.service;

import dev.keyward.events.KeywardEvent;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * One row of the audit log: the event's canonical content plus the columns that filters use,
 * and its link in the org's hash chain. {@code useCount} is how many uses the event stands for
 * ({@link KeywardEvent#uses()}). {@code time} is cut to microseconds (PostgreSQL's
 * precision); the content keeps the event's own.
 */
public record StoredEvent(
        String org,
        long seq,
        String eventId,
        String type,
        Instant time,
        String subject,
        String actor,
        String keyPrefix,
        String repo,
        String clientIp,
        long useCount,
        String content,
        byte[] prevHash,
        byte[] hash,
        Instant ingestedAt) {

    /** The next link after {@code head} for {@code canonical}. */
    public static StoredEvent link(ChainHead head, CanonicalEvent canonical) {
        KeywardEvent event = canonical.event();
        String content = canonical.content();
        long seq = head.lastSeq() + 1;
        byte[] hash = HashChain.link(head.lastHash(), head.org(), seq, content);
        return new StoredEvent(head.org(), seq, event.id(), event.type().wireName(), event.time().truncatedTo(ChronoUnit.MICROS), event.subject(),
                event.data().actor(), event.data().keyPrefix(), event.data().repo(), event.data().clientIp(),
                event.uses(), content, head.lastHash(), hash, null);
    }
}
