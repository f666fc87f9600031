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

    /**
     * Writes {@code rows} with one statement (persisting them one by one would cost a round trip
     * each: the identity id is read back per row). Ids follow the list's order.
     */
    /** Columns {@link #insertAll} writes per row. */
    private static final int COLUMNS = 6;

    public Uni<Void> insertAll(List<OutboxEntity> rows) {
        if (rows.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        StringBuilder sql = new StringBuilder(
                "insert into event_outbox (event_id, event_type, org_id, payload, created_at, traceparent) values ");
        for (int i = 0; i < rows.size(); i++) {
            int p = i * COLUMNS;
            sql.append(i == 0 ? "" : ", ").append('(');
            for (int c = 1; c <= COLUMNS; c++) {
                sql.append(c == 1 ? "?" : ", ?").append(p + c);
            }
            sql.append(')');
        }
        return getSession().flatMap(s -> {
            var insert = s.createNativeQuery(sql.toString());
            for (int i = 0; i < rows.size(); i++) {
                OutboxEntity row = rows.get(i);
                int p = i * COLUMNS;
                insert.setParameter(p + 1, row.eventId).setParameter(p + 2, row.eventType).setParameter(p + 3, row.orgId)
                        .setParameter(p + 4, row.payload).setParameter(p + 5, row.createdAt).setParameter(p + 6, row.traceparent);
            }
            return insert.executeUpdate();
        }).replaceWithVoid();
    }
}
