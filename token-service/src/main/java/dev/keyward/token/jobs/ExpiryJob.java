package dev.keyward.token.jobs;

import dev.keyward.events.KeywardEvent;
import dev.keyward.token.outbox.OutboxRelay;
import dev.keyward.token.repository.BlockingDatabase;
import dev.keyward.token.repository.LiveTokenCounts;
import dev.keyward.token.repository.OrgRepository;
import dev.keyward.token.repository.TokenEntity;
import dev.keyward.token.service.EventOutbox;
import dev.keyward.token.service.TokenEvents;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
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
public class ExpiryJob implements ScheduledJob {

    public static final String NAME = "expiry";

    private static final String MARK = """
            with due as (
                select t.id from tokens t
                where %s and t.expires_at is not null and t.expires_at <= ?1
                order by t.expires_at
                limit ?2
                for update skip locked)
            update tokens t set expired_at = ?1
            from due where t.id = due.id
            returning t.id, t.org_id, t.key_prefix, t.name, t.expires_at, t.created_by_user_id""".formatted(TokenEntity.LIVE_SQL);

    private static final String PURGE = """
            delete from tokens where id in (
                select id from tokens
                where (revoked_at is not null or expired_at is not null)
                  and coalesce(revoked_at, expired_at) < ?1
                limit ?2
                for update skip locked)""";

    /** Exchanged tokens expire by themselves (no event, no counter): their rows are forgotten after retention. */
    private static final String PURGE_EXCHANGED = """
            delete from exchanged_tokens where jti in (
                select jti from exchanged_tokens where expires_at < ?1 limit ?2 for update skip locked)""";

    private final BlockingDatabase database;
    private final Clock clock;
    private final OutboxRelay relay;
    private final EventOutbox outbox;
    private final OrgRepository orgs;
    private final LiveTokenCounts liveCounts;
    private final int batchSize;
    private final Duration retention;

    public ExpiryJob(BlockingDatabase database, Clock clock, OutboxRelay relay, EventOutbox outbox, OrgRepository orgs,
                     LiveTokenCounts liveCounts,
                     @ConfigProperty(name = "keyward.jobs.batch-size", defaultValue = "500") int batchSize,
                     @ConfigProperty(name = "keyward.jobs.retention", defaultValue = "90d") Duration retention) {
        this.database = database;
        this.clock = clock;
        this.relay = relay;
        this.outbox = outbox;
        this.orgs = orgs;
        this.liveCounts = liveCounts;
        this.batchSize = batchSize;
        this.retention = retention;
    }

    @Override
    public String name() {
        return NAME;
    }

    /** "kwexpiry". */
    @Override
    public long lockKey() {
        return 0x6b77657870697279L;
    }

    /** One run: every due token marked, every record past retention purged. */
    @Override
    public Map<String, Long> run() {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        long expired = 0;
        long batches = 0;
        int marked;
        do {
            marked = database.await(() -> Panache.withTransaction(() -> markBatch(now)));
            expired += marked;
            batches++;
            if (marked > 0) {
                relay.wakeUp();
            }
        } while (marked == batchSize);
        Instant cutoff = now.minus(retention);
        Map<String, Long> counts = new LinkedHashMap<>();
        counts.put("expired", expired);
        counts.put("purged", purge(PURGE, cutoff));
        counts.put("purged_exchanged", purge(PURGE_EXCHANGED, cutoff));
        counts.put("batches", batches);
        return counts;
    }

    /** Deletes, a batch per transaction, what {@code sql} (?1 cutoff, ?2 batch size) selects; how many rows. */
    private long purge(String sql, Instant cutoff) {
        long purged = 0;
        int deleted;
        do {
            deleted = database.await(() -> Panache.withTransaction(() -> Panache.getSession().flatMap(s -> s
                    .createNativeQuery(sql).setParameter(1, BlockingDatabase.at(cutoff)).setParameter(2, batchSize)
                    .executeUpdate())));
            purged += deleted;
        } while (deleted == batchSize);
        return purged;
    }

    private Uni<Integer> markBatch(Instant now) {
        return Panache.getSession()
                .flatMap(s -> s.createNativeQuery(MARK).setParameter(1, BlockingDatabase.at(now))
                        .setParameter(2, batchSize).getResultList())
                .flatMap(rows -> {
                    List<KeywardEvent> events = new ArrayList<>();
                    Map<String, Map<String, Integer>> ended = new TreeMap<>();
                    for (Object row : rows) {
                        Object[] r = (Object[]) row;
                        String org = (String) r[1];
                        events.add(TokenEvents.expired((String) r[0], org, (String) r[2], (String) r[3],
                                BlockingDatabase.instant(r[4]), now));
                        ended.computeIfAbsent(org, o -> new HashMap<>()).merge((String) r[5], 1, Integer::sum);
                    }
                    return countEnded(ended).chain(() -> outbox.append(events)).replaceWith(events.size());
                });
    }

    /** Brings the live counters down: org rows locked in id order, then their creators', like every other writer. */
    private Uni<Void> countEnded(Map<String, Map<String, Integer>> endedByOrg) {
        Uni<Void> done = Uni.createFrom().voidItem();
        for (Map.Entry<String, Map<String, Integer>> org : endedByOrg.entrySet()) {
            done = done.chain(() -> orgs.lockById(org.getKey())
                    .flatMap(entity -> entity == null ? Uni.createFrom().voidItem() : liveCounts.ended(entity, org.getValue())));
        }
        return done;
    }
}
