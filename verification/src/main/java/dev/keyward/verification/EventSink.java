package dev.keyward.verification;

import dev.keyward.events.KeywardEvent;

/** Where {@link VerificationEvents} hands events to (Kafka topic {@code keyward.events} in a service). */
@FunctionalInterface
public interface EventSink {

    /** Publishes one event; may block (it runs on the events thread, never on a request). */
    void publish(KeywardEvent event) throws Exception;
}
