package dev.keyward.audit.service;

import dev.keyward.audit.metrics.AuditMetrics;
import dev.keyward.audit.repository.EventLogRepository;
import dev.keyward.events.KeywardEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Stores a batch of events exactly once and appends them to their orgs' hash chains, all in one
 * transaction: lock the orgs' chain heads, skip ids already stored, insert the rest in one
 * multi-row statement, move the heads.
 */
@ApplicationScoped
public class EventIngestion {

    private static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");
    private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59Z");

    private final Pool pool;
    private final EventLogRepository repository;
    private final AuditMetrics metrics;

    public EventIngestion(Pool pool, EventLogRepository repository, AuditMetrics metrics) {
        this.pool = pool;
        this.repository = repository;
        this.metrics = metrics;
    }

    /** Stores the new events of the batch; completes with how many were new. */
    public Uni<Integer> ingest(List<KeywardEvent> events) {
        if (events.isEmpty()) {
            return Uni.createFrom().item(0);
        }
        // Canonical content first: the costly part of a batch runs before any lock is held.
        List<CanonicalEvent> canonical = events.stream().map(CanonicalEvent::of).toList();
        Set<String> orgs = events.stream().map(e -> e.data().org()).collect(Collectors.toSet());
        Set<String> ids = events.stream().map(KeywardEvent::id).collect(Collectors.toCollection(LinkedHashSet::new));
        return pool.withTransaction(conn -> repository.lockHeads(conn, orgs)
                        .chain(heads -> repository.storedIds(conn, ids)
                                .chain(already -> {
                                    ChainAppender.Plan plan = ChainAppender.plan(canonical, already, heads);
                                    if (plan.rows().isEmpty()) {
                                        return Uni.createFrom().item(0);
                                    }
                                    return repository.insert(conn, plan.rows())
                                            .chain(inserted -> {
                                                if (inserted != plan.rows().size()) {
                                                    return Uni.createFrom().failure(new ConcurrentDuplicateException());
                                                }
                                                return repository.advanceHeads(conn, plan.heads()).replaceWith(inserted);
                                            });
                                })))
                // The retry sees the concurrently stored id as already stored and skips it.
                .onFailure(ConcurrentDuplicateException.class).retry().atMost(3)
                .invoke(n -> metrics.stored(n, events.size() - n));
    }

    /**
     * Why an event that the codec accepted still cannot be stored (PostgreSQL refuses NUL characters
     * in text and dates beyond year 9999), or empty when it can.
     */
    public static Optional<String> unstorableReason(KeywardEvent e) {
        if (e.time().isBefore(EARLIEST) || e.time().isAfter(LATEST)) {
            return Optional.of("time out of range");
        }
        boolean nul = Stream.of(e.id(), e.source(), e.subject(), e.data().org(), e.data().actor(), e.data().keyPrefix(),
                        e.data().repo(), e.data().clientIp())
                .anyMatch(s -> s != null && s.indexOf('\0') >= 0);
        return nul ? Optional.of("NUL character in a field") : Optional.empty();
    }

    /** An event id was inserted by another transaction between our check and our insert. */
    static final class ConcurrentDuplicateException extends RuntimeException {
        ConcurrentDuplicateException() {
            super("an event id of the batch was stored concurrently", null, false, false);
        }
    }
}
