package dev.keyward.token.repository;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;

@ApplicationScoped
public class OutboxRepository implements PanacheRepositoryBase<OutboxEntity, Long> {

    /** What waits for the relay: the unsent rows and when the oldest was written ({@code null} when none). */
    public record Backlog(long rows, Instant oldest) {
    }

    /** The backlog, from the partial index of unsent rows. */
    public Uni<Backlog> backlog() {
        return getSession().flatMap(s -> s.createNativeQuery(
                        "select count(*), min(created_at) from event_outbox where sent_at is null", Object[].class)
                .getSingleResult())
                .map(row -> new Backlog(((Number) row[0]).longValue(), BlockingDatabase.instant(row[1])));
    }

    /** Writes {@code rows} with one statement ({@link MultiRowInsert}); ids follow the list's order. */
    public Uni<Void> insertAll(List<OutboxEntity> rows) {
        return MultiRowInsert.into(getSession(), "event_outbox",
                List.of("event_id", "event_type", "org_id", "payload", "created_at", "traceparent"), rows,
                row -> new Object[] {row.eventId, row.eventType, row.orgId, row.payload, row.createdAt, row.traceparent});
    }
}

