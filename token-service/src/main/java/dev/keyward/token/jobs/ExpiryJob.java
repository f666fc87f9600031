package dev.keyward.token.jobs;

import dev.keyward.events.KeywardEvent;
import dev.keyward.token.outbox.OutboxRelay;
import dev.keyward.token.repository.LiveTokenCounts;
import dev.keyward.token.repository.TokenEntity;
import dev.keyward.token.service.EventOutbox;
import dev.keyward.token.service.TokenEvents;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Expiry cleanup. Marks live tokens past {@code expires_at} as expired ({@code expired_at}) and
 * emits one {@code token:expired} each, in the same transaction (which also counts them out of the
 * live-token counters); then purges records revoked or expired longer than
 * {@code keyward.jobs.retention} ago. Each batch is one transaction
 * ({@code for update skip locked}, partial indexes), so a crash leaves whole batches only and a
 * rerun continues where it stopped.
 */
@ApplicationScoped
public class ExpiryJob {

    public static final String NAME = "expiry";
    /** Advisory lock key of this job ("kwexpiry"). */
    private static final long LOCK_KEY = 0x6b77657870697279L;

    private static final String MARK = """
            with due as (
                select t.id from tokens t
                where %s and t.expires_at is not null and t.expires_at <= ?
                order by t.expires_at
                limit ?
                for update skip locked)
            update tokens t set expired_at = ?
            from due where t.id = due.id
            returning t.id, t.org_id, t.key_prefix, t.name, t.expires_at, t.created_by_user_id""".formatted(TokenEntity.LIVE_SQL);

    private static final String PURGE = """
            delete from tokens where id in (
                select id from tokens
                where (revoked_at is not null or expired_at is not null)
                  and coalesce(revoked_at, expired_at) < ?
                limit ?
                for update skip locked)""";

    private final DataSource dataSource;
    private final Clock clock;
    private final OutboxRelay relay;
    private final int batchSize;
    private final Duration retention;

    public ExpiryJob(DataSource dataSource, Clock clock, OutboxRelay relay,
                     @ConfigProperty(name = "keyward.jobs.batch-size", defaultValue = "500") int batchSize,
                     @ConfigProperty(name = "keyward.jobs.retention", defaultValue = "90d") Duration retention) {
        this.dataSource = dataSource;
        this.clock = clock;
        this.relay = relay;
        this.batchSize = batchSize;
        this.retention = retention;
    }

    /** One run: every due token marked, every record past retention purged. Blocking. */
    public JobSummary run() {
        return LockedRun.run(dataSource, NAME, LOCK_KEY, c -> {
            Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
            long expired = 0;
            long batches = 0;
            int marked;
            do {
                marked = markBatch(c, now);
                c.commit();
                expired += marked;
                batches++;
                if (marked > 0) {
                    relay.wakeUp();
                }
            } while (marked == batchSize);
            long purged = 0;
            int deleted;
            do {
                deleted = purgeBatch(c, now.minus(retention));
                c.commit();
                purged += deleted;
                batches++;
            } while (deleted == batchSize);
            Map<String, Long> counts = new LinkedHashMap<>();
            counts.put("expired", expired);
            counts.put("purged", purged);
            counts.put("batches", batches);
            return counts;
        });
    }

    private int markBatch(Connection c, Instant now) throws SQLException {
        List<KeywardEvent> events = new ArrayList<>();
        Map<String, Map<String, Integer>> ended = new HashMap<>();
        try (PreparedStatement s = c.prepareStatement(MARK)) {
            s.setTimestamp(1, Timestamp.from(now));
            s.setInt(2, batchSize);
            s.setTimestamp(3, Timestamp.from(now));
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    events.add(TokenEvents.expired(rs.getString(1), rs.getString(2), rs.getString(3),
                            rs.getString(4), rs.getTimestamp(5).toInstant(), now));
                    ended.computeIfAbsent(rs.getString(2), org -> new HashMap<>()).merge(rs.getString(6), 1, Integer::sum);
                }
            }
        }
        LiveTokenCounts.ended(c, ended);
        EventOutbox.append(c, events);
        return events.size();
    }

    private int purgeBatch(Connection c, Instant cutoff) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(PURGE)) {
            s.setTimestamp(1, Timestamp.from(cutoff));
            s.setInt(2, batchSize);
            return s.executeUpdate();
        }
    }
}
