package dev.keyward.token.outbox;

import dev.keyward.events.KeywardEvent;
import io.agroal.api.AgroalDataSource;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
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
 * Publishes the transactional outbox to Kafka ({@code keyward.events}, key = org) in id order.
 * A row is stamped sent only after the broker acknowledged it; while Kafka is down the relay keeps
 * retrying the same rows, so events are delayed, never lost. Delivery is at least once (a crash
 * between the acknowledgement and the stamp republishes a row), consumers deduplicate on event id.
 * <p>
 * One relay at a time cluster-wide: each pass holds a transaction-scoped PostgreSQL advisory lock.
 * It runs on its own thread with blocking JDBC, polls every {@code keyward.outbox.poll-interval}
 * and is woken at once by {@link #wakeUp()} after a commit.
 */
@ApplicationScoped
public class OutboxRelay {

    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);
    /** Advisory lock key of the relay ("kwoutbox"). */
    private static final long LOCK_KEY = 0x6b776f7574626f78L;

    private final AgroalDataSource dataSource;
    private final String bootstrapServers;
    private final Duration pollInterval;
    private final int batchSize;
    private final boolean enabled;
    private final Semaphore wakeUps = new Semaphore(0);
    private volatile boolean running;
    private volatile Thread thread;
    private KafkaProducer<String, String> producer;

    public OutboxRelay(AgroalDataSource dataSource,
                       @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers,
                       @ConfigProperty(name = "keyward.outbox.poll-interval", defaultValue = "100ms") Duration pollInterval,
                       @ConfigProperty(name = "keyward.outbox.batch-size", defaultValue = "200") int batchSize,
                       @ConfigProperty(name = "keyward.outbox.enabled", defaultValue = "true") boolean enabled) {
        this.dataSource = dataSource;
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

    private record Row(long id, String org, String payload) {
    }

    /** One pass: publish the oldest unsent rows and stamp the acknowledged ones. */
    int passOnce() throws SQLException, InterruptedException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                if (!tryLock(c)) {
                    c.rollback();
                    return 0;
                }
                List<Row> rows = unsent(c);
                if (rows.isEmpty()) {
                    c.commit();
                    return 0;
                }
                List<Long> acked = new ArrayList<>();
                Exception failure = publish(rows, acked);
                markSent(c, acked);
                c.commit();
                if (failure != null) {
                    throw new IllegalStateException("Kafka did not acknowledge " + (rows.size() - acked.size())
                            + " of " + rows.size() + " events", failure);
                }
                return rows.size();
            } catch (SQLException | RuntimeException | InterruptedException e) {
                safeRollback(c);
                throw e;
            }
        }
    }

    private Exception publish(List<Row> rows, List<Long> acked) throws InterruptedException {
        KafkaProducer<String, String> p = producer();
        List<Future<RecordMetadata>> futures = new ArrayList<>();
        Exception failure = null;
        for (Row row : rows) {
            try {
                futures.add(p.send(new ProducerRecord<>(KeywardEvent.TOPIC, row.org(), row.payload())));
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

    private static boolean tryLock(Connection c) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("select pg_try_advisory_xact_lock(?)")) {
            s.setLong(1, LOCK_KEY);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }

    private List<Row> unsent(Connection c) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "select id, org_id, payload from event_outbox where sent_at is null order by id limit ?")) {
            s.setInt(1, batchSize);
            List<Row> rows = new ArrayList<>();
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    rows.add(new Row(rs.getLong(1), rs.getString(2), rs.getString(3)));
                }
            }
            return rows;
        }
    }

    private static void markSent(Connection c, List<Long> ids) throws SQLException {
        if (ids.isEmpty()) {
            return;
        }
        try (PreparedStatement s = c.prepareStatement("update event_outbox set sent_at = now() where id = any(?)")) {
            s.setArray(1, c.createArrayOf("bigint", ids.toArray()));
            s.executeUpdate();
        }
    }

    private static void safeRollback(Connection c) {
        try {
            c.rollback();
        } catch (SQLException e) {
            LOG.debug("rollback after a failed relay pass failed", e);
        }
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
