package dev.keyward.audit.metrics;

import dev.keyward.audit.service.AuthHealth;
import dev.keyward.audit.service.AuthHealthEvaluator;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.KafkaClientService;
import io.smallrye.reactive.messaging.kafka.KafkaConsumer;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.Consumer;
import org.jboss.logging.Logger;

/**
 * audit-service's own metrics (Prometheus names in brackets; the verifier's are in
 * {@code VerificationMetrics}):
 * <ul>
 *   <li>events stored, skipped as already stored (redeliveries) and skipped as malformed
 *       ({@code keyward_audit_events_stored_total}, {@code _duplicates_total}, {@code _malformed_total});</li>
 *   <li>records of the assigned partitions this replica has not fetched yet, as the Kafka consumer
 *       last saw the partitions' ends ({@code keyward_audit_consumer_lag_records}; sum over replicas);</li>
 *   <li>orgs whose failed authentications are at the degraded or alert level of
 *       {@code GET /v1/auth/health} ({@code keyward_auth_health_orgs{status}}).</li>
 * </ul>
 * The gauges are read every {@code keyward.metrics.every}. Created at start-up, so every series
 * is there from the first scrape.
 */
@Startup
@ApplicationScoped
public class AuditMetrics {

    private static final Logger LOG = Logger.getLogger(AuditMetrics.class);
    /** The consumer channel of {@code EventConsumer}. */
    private static final String CHANNEL = "events";

    private final Counter stored;
    private final Counter duplicates;
    private final Counter malformed;
    private final AtomicLong lag = new AtomicLong();
    private final Map<String, AtomicLong> orgsByStatus = new ConcurrentHashMap<>();
    private final KafkaClientService kafka;
    private final AuthHealth health;

    public AuditMetrics(MeterRegistry registry, KafkaClientService kafka, AuthHealth health) {
        this.kafka = kafka;
        this.health = health;
        this.stored = Counter.builder("keyward.audit.events.stored").description("events stored").register(registry);
        this.duplicates = Counter.builder("keyward.audit.events.duplicates")
                .description("events skipped because they were stored already (redeliveries)").register(registry);
        this.malformed = Counter.builder("keyward.audit.events.malformed")
                .description("records skipped because they are no storable event").register(registry);
        Gauge.builder("keyward.audit.consumer.lag", lag, AtomicLong::get).baseUnit("records")
                .description("records of this replica's partitions not fetched yet").register(registry);
        for (String status : List.of(AuthHealthEvaluator.DEGRADED, AuthHealthEvaluator.ALERT)) {
            AtomicLong orgs = orgsByStatus.computeIfAbsent(status, s -> new AtomicLong());
            Gauge.builder("keyward.auth.health.orgs", orgs, AtomicLong::get).tag("status", status)
                    .description("orgs at this level of GET /v1/auth/health").register(registry);
        }
    }

    /** A batch was stored: {@code stored} new events, {@code skipped} already stored. */
    public void stored(long stored, long skipped) {
        this.stored.increment(stored);
        duplicates.increment(skipped);
    }

    public void malformed() {
        malformed.increment();
    }

    /** Reads the consumer lag and the orgs' auth health; a failed read keeps the last values. */
    @Scheduled(every = "${keyward.metrics.every:15s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> sample() {
        return consumerLag().invoke(lag::set)
                .onFailure().invoke(e -> LOG.debugf("consumer lag not read: %s", e.toString()))
                .onFailure().recoverWithNull()
                .chain(ignored -> health.orgsByStatus())
                .invoke(counts -> orgsByStatus.forEach((status, value) -> value.set(counts.getOrDefault(status, 0L))))
                .onFailure().invoke(e -> LOG.debugf("auth health not read: %s", e.toString()))
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }

    private Uni<Long> consumerLag() {
        if (!kafka.getConsumerChannels().contains(CHANNEL)) {
            return Uni.createFrom().item(0L); // not started yet
        }
        KafkaConsumer<Object, Object> consumer = kafka.getConsumer(CHANNEL);
        return consumer.runOnPollingThread(AuditMetrics::lagOf);
    }

    /** Records of the assigned partitions after the consumer's position; partitions not fetched yet count nothing. */
    public static long lagOf(Consumer<?, ?> consumer) {
        return consumer.assignment().stream().mapToLong(p -> consumer.currentLag(p).orElse(0)).sum();
    }
}
