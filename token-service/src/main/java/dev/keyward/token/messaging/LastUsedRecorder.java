package dev.keyward.token.messaging;

import dev.keyward.events.EventCodec;
import dev.keyward.events.EventType;
import dev.keyward.events.KeywardEvent;
import dev.keyward.token.repository.BlockingDatabase;
import dev.keyward.token.repository.TokenRepository;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Keeps {@code last_used_at} from the {@code token:used} events verifiers publish on
 * {@code keyward.usage} (so it no longer reads the change events); a verifier's folded event counts
 * at its {@code last_at}. Uses are
 * frequent, so writes are debounced: at most one database write per token per
 * {@code keyward.last-used.debounce}; a use inside the window is written when the window ends.
 * <p>
 * Reads the {@code keyward-last-used} channel (application.properties) a poll's worth at a time;
 * the consumer group is shared by the replicas, so each use reaches one of them. The debounce
 * state is this replica's, guarded by the instance lock (the channel's worker and the flush timer).
 */
@ApplicationScoped
public class LastUsedRecorder {

    private static final Logger LOG = Logger.getLogger(LastUsedRecorder.class);

    private final BlockingDatabase database;
    private final TokenRepository tokens;
    private final Duration debounce;
    private final Counter writes;
    private final Map<String, Pending> byToken = new HashMap<>();

    public LastUsedRecorder(BlockingDatabase database, TokenRepository tokens, MeterRegistry registry,
                            @ConfigProperty(name = "keyward.last-used.debounce", defaultValue = "60s") Duration debounce) {
        this.database = database;
        this.tokens = tokens;
        this.debounce = debounce;
        this.writes = Counter.builder("keyward.last_used.writes")
                .description("database writes of last_used_at").register(registry);
    }

    /** One token's debounce state: when it was last written, and a newer use waiting for the window's end. */
    private static final class Pending {
        final String org;
        Instant writtenAt;
        Instant waiting;

        Pending(String org) {
            this.org = org;
        }
    }

    /** Database writes so far (also the {@code keyward.last_used.writes} metric). */
    public double writeCount() {
        return writes.count();
    }

    /** One poll's records; writes wait for the database, so on a worker thread. */
    @Incoming("keyward-last-used")
    @Blocking
    public synchronized void onUses(List<String> batch) {
        for (String json : batch) {
            if (json != null) {
                handle(json);
            }
        }
        flushDue(Instant.now());
    }

    /** Writes the uses whose window has ended, also while no new use arrives. */
    @Scheduled(every = "1s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    synchronized void flushDue() {
        flushDue(Instant.now());
    }

    private void handle(String json) {
        KeywardEvent event;
        try {
            event = EventCodec.fromJson(json);
        } catch (EventCodec.MalformedEventException e) {
            return; // not ours to judge; the audit service records malformed input
        }
        if (event.type() != EventType.TOKEN_USED || event.subject() == null || !event.subject().startsWith("tok_")) {
            return;
        }
        Instant now = Instant.now();
        Instant usedAt = event.lastUse(); // a folded event's last use, else its time
        Pending p = byToken.computeIfAbsent(event.subject(), id -> new Pending(event.data().org()));
        if (p.writtenAt == null || !now.isBefore(p.writtenAt.plus(debounce))) {
            write(event.subject(), p, usedAt, now);
        } else if (p.waiting == null || usedAt.isAfter(p.waiting)) {
            p.waiting = usedAt;
        }
    }

    private void flushDue(Instant now) {
        for (Iterator<Map.Entry<String, Pending>> it = byToken.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Pending> e = it.next();
            Pending p = e.getValue();
            boolean windowOver = p.writtenAt == null || !now.isBefore(p.writtenAt.plus(debounce));
            if (p.waiting != null && windowOver) {
                write(e.getKey(), p, p.waiting, now);
            } else if (p.waiting == null && windowOver) {
                it.remove();
            }
        }
    }

    private void write(String tokenId, Pending p, Instant usedAt, Instant now) {
        try {
            database.await(() -> Panache.withTransaction(() -> tokens.recordUse(tokenId, p.org, usedAt)));
            writes.increment();
            p.writtenAt = now;
            p.waiting = null;
        } catch (RuntimeException e) {
            // Keep the use pending; the next flush retries it.
            p.waiting = p.waiting == null || usedAt.isAfter(p.waiting) ? usedAt : p.waiting;
            LOG.warnf("cannot record last use of %s: %s", tokenId, e.toString());
        }
    }
}
