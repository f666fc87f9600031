package dev.keyward.events;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * One Keyward event: a CloudEvents 1.0 envelope around {@link EventData}. Serialise it only with
 * {@link EventCodec}; the Kafka record key is {@link #partitionKey()} (the org id) so that one
 * org's events stay in order.
 *
 * @param id      unique per event; consumers deduplicate on it
 * @param source  the emitting service, e.g. {@code /keyward/token-service}
 * @param type    the event type
 * @param time    when it happened
 * @param subject the token id it concerns, where there is one
 * @param data    the payload
 */
public record KeywardEvent(String id, String source, EventType type, Instant time, String subject, EventData data) {

    public static final String SPEC_VERSION = "1.0";
    /** Changes to tokens and orgs: what revocation readers and the audit trail must never miss. */
    public static final String TOPIC = "keyward.events";
    /** Uses ({@code token:used}, {@code auth:failed}): the high-volume firehose, kept apart so change readers skip it. */
    public static final String USAGE_TOPIC = "keyward.usage";

    public KeywardEvent {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(data.org(), "data.org");
    }

    /** A new event with a fresh random id. */
    public static KeywardEvent of(String source, EventType type, Instant time, String subject, EventData data) {
        return new KeywardEvent(UUID.randomUUID().toString(), source, type, time, subject, data);
    }

    /** The topic this event travels on ({@link EventType#isUsage()}). */
    public String topic() {
        return topicOf(type);
    }

    /** The topic events of this type travel on. */
    public static String topicOf(EventType type) {
        return type.isUsage() ? USAGE_TOPIC : TOPIC;
    }

    public String partitionKey() {
        return data.org();
    }

    /** How many uses this event stands for: {@code data.count}, or 1 when absent (every other event). */
    public long uses() {
        return data.count() == null ? 1 : data.count();
    }

    /** When the first use it stands for happened: {@code data.first_at}, or the event's time. */
    public Instant firstUse() {
        return data.firstAt() == null ? time : data.firstAt();
    }

    /** When the last use it stands for happened: {@code data.last_at}, or the event's time. */
    public Instant lastUse() {
        return data.lastAt() == null ? time : data.lastAt();
    }
}
