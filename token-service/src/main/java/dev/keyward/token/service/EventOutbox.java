package dev.keyward.token.service;

import dev.keyward.events.EventCodec;
import dev.keyward.events.KeywardEvent;
import dev.keyward.token.metrics.TokenMetrics;
import dev.keyward.token.repository.OutboxEntity;
import dev.keyward.token.repository.OutboxRepository;
import dev.keyward.verification.TracePropagation;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

/**
 * Writes events into the transactional outbox. Call it inside the transaction of the change the
 * event describes, so both commit or neither does; the outbox relay publishes them afterwards, in
 * the trace of the request that wrote them.
 */
@ApplicationScoped
public class EventOutbox {

    private final OutboxRepository outbox;
    private final TokenMetrics metrics;

    public EventOutbox(OutboxRepository outbox, TokenMetrics metrics) {
        this.outbox = outbox;
        this.metrics = metrics;
    }

    // Counted once written: a transaction that fails after this (rare: its commit) counts a change it did not make.
    public Uni<Void> append(KeywardEvent event) {
        return outbox.persist(row(event, TracePropagation.currentTraceparent())).invoke(() -> metrics.appended(event))
                .replaceWithVoid();
    }

    /** Several events, in order, in one statement (a job's batch, a group of creates). */
    public Uni<Void> append(List<KeywardEvent> events) {
        if (events.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        // One trace for the list: a group of creates continues the trace of its first request.
        String traceparent = TracePropagation.currentTraceparent();
        return outbox.insertAll(events.stream().map(event -> row(event, traceparent)).toList())
                .invoke(() -> events.forEach(metrics::appended));
    }

    private static OutboxEntity row(KeywardEvent event, String traceparent) {
        OutboxEntity row = new OutboxEntity();
        row.eventId = event.id();
        row.eventType = event.type().wireName();
        row.orgId = event.partitionKey();
        row.payload = EventCodec.toJson(event);
        row.createdAt = event.time();
        row.traceparent = traceparent;
        return row;
    }
}
