package dev.keyward.verification.quarkus;

import dev.keyward.events.EventCodec;
import dev.keyward.events.EventType;
import dev.keyward.events.KeywardEvent;
import dev.keyward.verification.TracePropagation;
import io.opentelemetry.api.trace.SpanContext;

/**
 * An event ready for the wire, encoded on the request thread so that the events thread only hands
 * it on. The array is shared, not copied: nobody may change it.
 *
 * @param key  the Kafka record key ({@link KeywardEvent#partitionKey()}, the org id)
 * @param type the event's type, for logs and counts
 * @param json the CloudEvents JSON of {@link EventCodec#toJsonBytes}
 * @param traceparent the trace of the request the event is about, or null (tracing off; the spool
 *                    does not keep it)
 */
public record EncodedEvent(String key, EventType type, byte[] json, String traceparent) {

    public EncodedEvent(String key, EventType type, byte[] json) {
        this(key, type, json, null);
    }

    static EncodedEvent of(KeywardEvent event, SpanContext trace) {
        return new EncodedEvent(event.partitionKey(), event.type(), EventCodec.toJsonBytes(event),
                TracePropagation.traceparent(trace));
    }
}
