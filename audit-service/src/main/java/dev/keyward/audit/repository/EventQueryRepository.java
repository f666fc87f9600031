package dev.keyward.audit.repository;

import dev.keyward.audit.service.EventFilter;
import dev.keyward.audit.service.EventPosition;
import dev.keyward.audit.service.EventRecord;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** The read side of the audit log: keyset pages in time order, always within one org. */
@ApplicationScoped
public class EventQueryRepository {

    private final Pool pool;

    public EventQueryRepository(Pool pool) {
        this.pool = pool;
    }

    /**
     * Up to {@code limit} events matching {@code filter} strictly after {@code after} in the chosen
     * direction (newest first when {@code newestFirst}), or from the start when {@code after} is null.
     */
    public Uni<List<EventRecord>> page(EventFilter filter, EventPosition after, boolean newestFirst, int limit) {
        List<Object> params = new ArrayList<>();
        StringBuilder sql = new StringBuilder(
                "select seq, time, content, hash, prev_hash, ingested_at from audit_event where org = $1");
        params.add(filter.org());
        if (filter.type() != null) {
            params.add(filter.type());
            sql.append(" and type = $").append(params.size());
        }
        if (filter.tokenId() != null) {
            params.add(filter.tokenId());
            sql.append(" and subject = $").append(params.size());
        }
        if (filter.actor() != null) {
            params.add(filter.actor());
            sql.append(" and actor = $").append(params.size());
        }
        if (filter.repo() != null) {
            params.add(filter.repo());
            sql.append(" and repo = $").append(params.size());
        }
        if (filter.since() != null) {
            params.add(filter.since().atOffset(ZoneOffset.UTC));
            sql.append(" and time >= $").append(params.size());
        }
        if (filter.until() != null) {
            params.add(filter.until().atOffset(ZoneOffset.UTC));
            sql.append(" and time < $").append(params.size());
        }
        if (after != null) {
            params.add(after.time().atOffset(ZoneOffset.UTC));
            params.add(after.seq());
            sql.append(" and (time, seq) ").append(newestFirst ? "<" : ">")
                    .append(" ($").append(params.size() - 1).append(", $").append(params.size()).append(')');
        }
        String direction = newestFirst ? " desc" : " asc";
        params.add(limit);
        sql.append(" order by time").append(direction).append(", seq").append(direction)
                .append(" limit $").append(params.size());
        return pool.preparedQuery(sql.toString()).execute(Tuple.from(params)).map(rows -> {
            List<EventRecord> page = new ArrayList<>(rows.size());
            for (Row r : rows) {
                page.add(toRecord(r));
            }
            return page;
        });
    }

    static EventRecord toRecord(Row r) {
        HexFormat hex = HexFormat.of();
        return new EventRecord(r.getLong("seq"), instant(r, "time"), r.getString("content"),
                hex.formatHex(r.getBuffer("hash").getBytes()), hex.formatHex(r.getBuffer("prev_hash").getBytes()),
                instant(r, "ingested_at"));
    }

    private static Instant instant(Row r, String column) {
        return r.getOffsetDateTime(column).toInstant();
    }
}
