package dev.keyward.token.outbox;

import dev.keyward.events.EventType;
import dev.keyward.events.KeywardEvent;
import dev.keyward.token.repository.AdvisoryLock;
import dev.keyward.token.repository.BlockingDatabase;
import dev.keyward.token.repository.OutboxRepository;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Publishes the transactional outbox to Kafka (each event on its {@link KeywardEvent#topic()}: usage
 * types on {@code keyward.usage}, the rest on {@code keyward.events}; key = org) in id order.
 * A row is stamped sent only after the broker acknowledged it; while Kafka is down the relay keeps
 * retrying the same rows, so events are delayed, never lost. Delivery is at least once (a crash
 * between the acknowledgement and the stamp republishes a row), consumers deduplicate on event id.
 * <p>
 * One relay at a time cluster-wide: each pass holds the relay's PostgreSQL advisory lock. It runs
 * on its own thread, waiting for the database, polls every {@code keyward.outbox.poll-interval}
 * and is woken at once by {@link #wakeUp()} after a commit.
 */
@ApplicationScoped
public class OutboxRelay {

    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);
    /** Advisory lock key of the relay ("kwoutbox"). */
    private static final long LOCK_KEY = 0x6b776f7574626f78L;

    private final BlockingDatabase database;
    private final AdvisoryLock lock;
    private final OutboxRepository outbox;
    private final String bootstrapServers;
    private final Duration pollInterval;
    private final int batchSize;
    private final boolean enabled;
    private final Semaphore wakeUps = new Semaphore(0);
    private volatile boolean running;
    private volatile Thread thread;
    private KafkaProducer<String, String> producer;

    public OutboxRelay(BlockingDatabase database, AdvisoryLock lock, OutboxRepository outbox,
                       @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers,
                       @ConfigProperty(name = "keyward.outbox.poll-interval", defaultValue = "100ms") Duration pollInterval,
                       @ConfigProperty(name = "keyward.outbox.batch-size", defaultValue = "200") int batchSize,
                       @ConfigProperty(name = "keyward.outbox.enabled", defaultValue = "true") boolean enabled) {
        this.database = database;
        this.lock = lock;
        this.outbox = outbox;
        this.bootstrapServers = bootstrapServers;
        this.pollInterval = pollInterval;
        this.batchSize = batchSize;
        this.enabled = enabled;
    }

    void start(@Observes StartupEvent event) {
        if (!enabled) {
            return;
        }
        running = true;
        Thread t = new Thread(this::run, "keyward-outbox-relay");
        t.setDaemon(true);
        thread = t;
        t.start();
    }

    void stop(@Observes ShutdownEvent event) {
        running = false;
        Thread t = thread;
        if (t != null) {
            wakeUp();
            try {
                t.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Asks for a pass now, e.g. right after a transaction that wrote events committed. */
    public void wakeUp() {
        wakeUps.release();
    }

    private void run() {
        long backoffMs = 0;
        while (running) {
            try {
                if (backoffMs > 0) {
                    waitForWakeUp(backoffMs);
                }
                int sent = passOnce();
                backoffMs = 0;
                if (sent >= batchSize) {
                    continue;
                }
                waitForWakeUp(pollInterval.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                backoffMs = Math.min(Math.max(backoffMs * 2, 250), 2_000);
                LOG.warnf("outbox relay pass failed, retrying in %d ms: %s", backoffMs, e.toString());
                closeProducer();
            }
        }
        closeProducer();
    }

    private void waitForWakeUp(long millis) throws InterruptedException {
        if (wakeUps.tryAcquire(millis, TimeUnit.MILLISECONDS)) {
            wakeUps.drainPermits();
        }
    }

    private record Row(long id, String org, String type, String payload) {

        String topic() {
            return EventType.fromWire(type).filter(EventType::isUsage).isPresent()
                    ? KeywardEvent.USAGE_TOPIC : KeywardEvent.TOPIC;
        }
    }

    /** One pass: publish the oldest unsent rows and stamp the acknowledged ones. */
    int passOnce() throws InterruptedException {
        Exception[] failure = new Exception[1];
        int sent = lock.tryRun(LOCK_KEY, () -> {
            List<Row> rows = database.await(() -> Panache.withSession(() -> outbox
                    .find("sentAt is null order by id").page(0, batchSize).list()))
                    .stream().map(r -> new Row(r.id, r.orgId, r.eventType, r.payload)).toList();
            if (rows.isEmpty()) {
                return 0;
            }
            List<Long> acked = new ArrayList<>();
            try {
                failure[0] = publish(rows, acked);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failure[0] = e;
            }
            if (!acked.isEmpty()) {
                database.await(() -> Panache.withTransaction(() -> outbox
                        .update("sentAt = ?1 where id in ?2", Instant.now(), acked)));
            }
            if (failure[0] != null) {
                throw new IllegalStateException("Kafka did not acknowledge " + (rows.size() - acked.size())
                        + " of " + rows.size() + " events", failure[0]);
            }
            return rows.size();
        }).orElse(0);
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        return sent;
    }

    private Exception publish(List<Row> rows, List<Long> acked) throws InterruptedException {
        KafkaProducer<String, String> p = producer();
        List<Future<RecordMetadata>> futures = new ArrayList<>();
        Exception failure = null;
        for (Row row : rows) {
            try {
                futures.add(p.send(new ProducerRecord<>(row.topic(), row.org(), row.payload())));
            } catch (RuntimeException e) {
                failure = e;
                break;
            }
        }
        // The idempotent producer keeps each org's (partition's) order, so a failed record is never
        // overtaken by a later one of the same org; only acknowledged rows are stamped.
        for (int i = 0; i < futures.size(); i++) {
            try {
                futures.get(i).get();
                acked.add(rows.get(i).id());
            } catch (ExecutionException e) {
                failure = failure == null ? (Exception) e.getCause() : failure;
            }
        }
        return failure;
    }

    private KafkaProducer<String, String> producer() {
        if (producer == null) {
            Properties props = new Properties();
            props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
            props.put(ProducerConfig.CLIENT_ID_CONFIG, "token-service-outbox");
            props.put(ProducerConfig.ACKS_CONFIG, "all");
            props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
            props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "5");
            props.put(ProducerConfig.LINGER_MS_CONFIG, "0");
            props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "5000");
            props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
            props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "15000");
            props.put(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "1000");
            props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
            props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
            producer = new KafkaProducer<>(props);
        }
        return producer;
    }

    // After a failure a fresh producer starts from a clean state (new producer id, no stale batches).
    private void closeProducer() {
        if (producer != null) {
            try {
                producer.close(Duration.ofSeconds(1));
            } catch (RuntimeException e) {
                LOG.debug("closing the outbox producer failed", e);
            }
            producer = null;
        }
    }
}
