package dev.keyward.token.service;

import dev.keyward.events.EventCodec;
import dev.keyward.events.KeywardEvent;
import dev.keyward.token.repository.OutboxEntity;
import dev.keyward.token.repository.OutboxRepository;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.List;

/**
 * Writes events into the transactional outbox. Call it inside the transaction of the change the
 * event describes, so both commit or neither does; the outbox relay publishes them afterwards.
 */
@ApplicationScoped
public class EventOutbox {

    private final OutboxRepository outbox;

    public EventOutbox(OutboxRepository outbox) {
        this.outbox = outbox;
    }

    public Uni<Void> append(KeywardEvent event) {
        OutboxEntity row = new OutboxEntity();
        row.eventId = event.id();
        row.eventType = event.type().wireName();
        row.orgId = event.partitionKey();
        row.payload = EventCodec.toJson(event);
        row.createdAt = event.time();
        return outbox.persist(row).replaceWithVoid();
    }

    /**
     * The same outbox rows, written on a JDBC connection inside its open transaction (the
     * scheduled jobs batch their changes in plain JDBC transactions).
     */
    public static void append(Connection c, List<KeywardEvent> events) throws SQLException {
        if (events.isEmpty()) {
            return;
        }
        try (PreparedStatement s = c.prepareStatement("insert into event_outbox"
                + " (event_id, event_type, org_id, payload, created_at) values (?, ?, ?, ?, ?)")) {
            for (KeywardEvent event : events) {
                s.setString(1, event.id());
                s.setString(2, event.type().wireName());
                s.setString(3, event.partitionKey());
                s.setString(4, EventCodec.toJson(event));
                s.setTimestamp(5, Timestamp.from(event.time()));
                s.addBatch();
            }
            s.executeBatch();
        }
    }
}
