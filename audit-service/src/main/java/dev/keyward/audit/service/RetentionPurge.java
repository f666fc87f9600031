package dev.keyward.audit.service;

import dev.keyward.audit.config.AuditConfig;
import dev.keyward.audit.repository.RetentionRepository;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Deletes events older than {@code keyward.audit.retention}, oldest first, and records where each
 * org's chain now starts (the anchor: last deleted seq and its hash) so the rest stays verifiable.
 * Replicas may run it at once: the anchor row lock serialises them per org.
 */
@ApplicationScoped
public class RetentionPurge {

    private static final Logger LOG = Logger.getLogger(RetentionPurge.class);

    private final RetentionRepository repository;
    private final AuditConfig config;

    public RetentionPurge(RetentionRepository repository, AuditConfig config) {
        this.repository = repository;
        this.config = config;
    }

    @Scheduled(every = "${keyward.audit.retention-purge.every:1h}", delayed = "${keyward.audit.retention-purge.delay:5m}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> purgeExpired() {
        Instant cutoff = Instant.now().minus(config.retention());
        return purge(cutoff)
                .invoke(n -> {
                    if (n > 0) {
                        LOG.infof("retention purged %d events stored before %s", n, cutoff);
                    }
                })
                .onFailure().invoke(e -> LOG.warn("retention purge failed; the next run continues", e))
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }

    /** Purges every org's events stored before {@code cutoff}; completes with the number deleted. */
    public Uni<Long> purge(Instant cutoff) {
        return repository.dueBoundaries(cutoff)
                .onItem().transformToMulti(due -> Multi.createFrom().iterable(due.entrySet()))
                .onItem().transformToUniAndConcatenate(e -> purgeOrg(e.getKey(), e.getValue(), cutoff))
                .collect().with(Collectors.summingLong(Long::longValue));
    }

    /** Purges one org's events up to and including {@code dueSeq}, batch by batch. */
    public Uni<Long> purgeOrg(String org, long dueSeq, Instant cutoff) {
        int batch = config.retentionPurge().batchSize();
        return Multi.createBy().repeating()
                .uni(() -> repository.purgeBatch(org, dueSeq, batch, cutoff))
                .until(n -> n == 0)
                .collect().with(Collectors.summingLong(Integer::longValue));
    }
}
