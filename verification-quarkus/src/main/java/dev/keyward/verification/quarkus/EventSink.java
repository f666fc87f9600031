package dev.keyward.verification.quarkus;

/** Where {@link VerificationEvents} hands events to (Kafka topic {@code keyward.usage} in a service). */
@FunctionalInterface
public interface EventSink {

    /**
     * Hands one encoded event on. Runs on the events thread, never on a request, and may block.
     * Throwing counts the event as failed; a sink that learns of a failure only later (an
     * asynchronous send) reports it to {@code failures}, from whichever thread learns it.
     */
    void publish(EncodedEvent event, Failures failures) throws Exception;

    /**
     * Returns once every event handed on so far is delivered or reported to its {@link Failures}
     * (the spool deletes what it replayed only then). Nothing to wait for by default.
     */
    default void flush() throws Exception {
    }

    /** Where a sink reports an event it could not deliver after {@link #publish} returned. */
    @FunctionalInterface
    interface Failures {
        void failed(EncodedEvent event, Exception cause);
    }
}
