package dev.keyward.audit.messaging;

import dev.keyward.audit.metrics.AuditMetrics;
import dev.keyward.audit.service.EventIngestion;
import dev.keyward.events.EventCodec;
import dev.keyward.events.KeywardEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.pgclient.PgException;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Reads {@code keyward.events} and {@code keyward.usage} in batches. A batch is acknowledged (and its offsets become
 * committable) only after its database transaction committed; redelivery after a crash is harmless
 * because storage is idempotent on the event id.
 */
@ApplicationScoped
public class EventConsumer {

    private static final Logger LOG = Logger.getLogger(EventConsumer.class);

    private final EventIngestion ingestion;
    private final AuditMetrics metrics;

    public EventConsumer(EventIngestion ingestion, AuditMetrics metrics) {
        this.ingestion = ingestion;
        this.metrics = metrics;
    }

    @Incoming("events")
    public Uni<Void> consume(ConsumerRecords<String, String> records) {
        List<KeywardEvent> events = new ArrayList<>(records.count());
        for (ConsumerRecord<String, String> record : records) {
            parse(record).ifPresent(events::add);
        }
        // A database outage holds the partition (nothing may be lost) and retries until it is back.
        return ingestion.ingest(events)
                .onFailure().invoke(e -> LOG.warnf("storing a batch of %d events failed, retrying: %s",
                        events.size(), describe(e)))
                .onFailure().retry().withBackOff(Duration.ofMillis(200), Duration.ofSeconds(10)).indefinitely()
                .replaceWithVoid();
    }

    // A database error message can quote values of the batch, so only its SQLSTATE is logged.
    private static String describe(Throwable e) {
        return e instanceof PgException pg ? "SQLSTATE " + pg.getSqlState() : e.getClass().getSimpleName();
    }

    // The record's content is never logged: a malformed record could hold anything, a secret included.
    private Optional<KeywardEvent> parse(ConsumerRecord<String, String> record) {
        String reason;
        Object value = record.value(); // not trusted to be a String: whatever the deserializer made of it
        if (!(value instanceof String json)) {
            reason = value == null ? "empty record" : "not a text record";
        } else {
            try {
                KeywardEvent event = EventCodec.fromJson(json);
                Optional<String> unstorable = EventIngestion.unstorableReason(event);
                if (unstorable.isEmpty()) {
                    return Optional.of(event);
                }
                reason = unstorable.get();
            } catch (RuntimeException e) {
                reason = e.getClass().getSimpleName();
            }
        }
        metrics.malformed();
        LOG.warnf("skipped a malformed event at %s-%d offset %d (%s)", record.topic(), record.partition(),
                record.offset(), reason);
        return Optional.empty();
    }
}
