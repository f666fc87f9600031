package dev.keyward.token.outbox;

import dev.keyward.events.EventCodec;
import dev.keyward.events.EventType;
import dev.keyward.events.KeywardEvent;
import dev.keyward.token.repository.AdvisoryLock;
import dev.keyward.token.repository.BlockingDatabase;
import dev.keyward.token.repository.OutboxRepository;
import dev.keyward.verification.TracePropagation;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.TracingMetadata;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;
import org.jboss.logging.Logger;

/**
 * Publishes the transactional outbox to Kafka (each event on its {@link KeywardEvent#topic()}: usage
 * types on {@code keyward.usage}, the rest on {@code keyward.events}; key = org) in id order.
 * Records go through the {@code keyward-outbox} channel (SmallRye Kafka connector, settings in
 * application.properties); a row is stamped sent only after the broker acknowledged its message (the
 * message's ack), and a nack leaves it for the next pass: while Kafka is down the relay keeps
 * retrying the same rows, so events are delayed, never lost. Delivery is at least once (a crash
 * between the acknowledgement and the stamp republishes a row), consumers deduplicate on event id.
 * A record continues the trace of the request that wrote its row (the row's {@code traceparent}).
 * <p>
 * One relay at a time cluster-wide: each pass holds the relay's PostgreSQL advisory lock. It runs
 * on its own thread, waiting for the database, polls every {@code keyward.outbox.poll-interval}
 * and is woken at once by {@link #wakeUp()} after a commit; after a pass that sent rows it lingers
 * ({@code keyward.outbox.linger}, 10 ms) so that under load one pass carries many rows.
 */
@ApplicationScoped
public class OutboxRelay {

    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);
    /** The relay's channel (application.properties: acks=all, idempotent, no resend by the connector). */
    public static final String CHANNEL = "keyward-outbox";
    private static final byte[] CONTENT_TYPE = EventCodec.CONTENT_TYPE.getBytes(StandardCharsets.UTF_8);
    /** Longest wait for a message's ack or nack: the channel's delivery.timeout.ms (15 s) and a margin. */
    private static final Duration ANSWER_LIMIT = Duration.ofSeconds(30);
    /** Advisory lock key of the relay ("kwoutbox"). */
    private static final long LOCK_KEY = 0x6b776f7574626f78L;

    private final BlockingDatabase database;
    private final AdvisoryLock lock;
    private final OutboxRepository outbox;
    private final MutinyEmitter<String> channel;
    private final Duration pollInterval;
    private final Duration linger;
    private final int batchSize;
    private final boolean enabled;
    private final Semaphore wakeUps = new Semaphore(0);
    private volatile boolean running;
    private volatile Thread thread;

    public OutboxRelay(BlockingDatabase database, AdvisoryLock lock, OutboxRepository outbox,
                       @Channel(CHANNEL) @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 1024)
                       MutinyEmitter<String> channel,
                       @ConfigProperty(name = "keyward.outbox.poll-interval", defaultValue = "100ms") Duration pollInterval,
                       @ConfigProperty(name = "keyward.outbox.linger", defaultValue = "10ms") Duration linger,
                       @ConfigProperty(name = "keyward.outbox.batch-size", defaultValue = "200") int batchSize,
                       @ConfigProperty(name = "keyward.outbox.enabled", defaultValue = "true") boolean enabled) {
        this.database = database;
        this.lock = lock;
        this.outbox = outbox;
        this.channel = channel;
        this.pollInterval = pollInterval;
        this.linger = linger;
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
                if (sent > 0 && !linger.isZero()) {
                    // Under load every commit wakes the relay: gathering the rows of a few milliseconds lets
                    // one pass (lock, read, send, stamp) carry many instead of one or two. Pacing, not a wait
                    // for a condition: the next pass runs either way.
                    Thread.sleep(linger.toMillis());
                    wakeUps.drainPermits();
                    continue;
                }
                waitForWakeUp(pollInterval.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                backoffMs = Math.min(Math.max(backoffMs * 2, 250), 2_000);
                LOG.warnf("outbox relay pass failed, retrying in %d ms: %s", backoffMs, e.toString());
            }
        }
    }

    private void waitForWakeUp(long millis) throws InterruptedException {
        if (wakeUps.tryAcquire(millis, TimeUnit.MILLISECONDS)) {
            wakeUps.drainPermits();
        }
    }

    private record Row(long id, String org, String type, String payload, String traceparent) {

        String topic() {
            return EventType.fromWire(type).map(KeywardEvent::topicOf).orElse(KeywardEvent.TOPIC);
        }
    }

    /** One pass: publish the oldest unsent rows and stamp the acknowledged ones. */
    int passOnce() throws InterruptedException {
        Exception[] failure = new Exception[1];
        int sent = lock.tryRun(LOCK_KEY, () -> {
            List<Row> rows = database.await(() -> Panache.withSession(() -> outbox
                    .find("sentAt is null order by id").page(0, batchSize).list()))
                    .stream().map(r -> new Row(r.id, r.orgId, r.eventType, r.payload, r.traceparent)).toList();
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

    /**
     * Hands the rows to the channel in id order and collects the acknowledged ones. The first row of
     * each topic goes ahead alone: with the broker away and a topic's metadata unknown, every send
     * holds the connector's one sending thread for max.block.ms, so a whole batch would stall the
     * pass for minutes; once the first rows are acknowledged the rest follow at once.
     */
    private Exception publish(List<Row> rows, List<Long> acked) throws InterruptedException {
        Set<String> topics = new HashSet<>();
        List<Row> first = new ArrayList<>();
        List<Row> rest = new ArrayList<>();
        for (Row row : rows) {
            (topics.add(row.topic()) ? first : rest).add(row);
        }
        Exception failure = await(first, send(first), acked);
        return failure != null ? failure : await(rest, send(rest), acked);
    }

    private List<CompletableFuture<Void>> send(List<Row> rows) {
        List<CompletableFuture<Void>> answers = new ArrayList<>(rows.size());
        for (Row row : rows) {
            RecordHeaders headers = new RecordHeaders();
            headers.add("content-type", CONTENT_TYPE);
            Message<String> message = Message.of(row.payload()).addMetadata(OutgoingKafkaRecordMetadata.<String>builder()
                    .withTopic(row.topic()).withKey(row.org()).withHeaders(headers).build())
                    .addMetadata(TracingMetadata.withCurrent(TracePropagation.parent(row.traceparent())));
            // Subscribing emits: the messages enter the channel in the order of the rows.
            answers.add(channel.sendMessage(message).subscribeAsCompletionStage());
        }
        return answers;
    }

    // The idempotent producer keeps each org's (partition's) order, so a failed record is never
    // overtaken by a later one of the same org; only acknowledged rows are stamped.
    private static Exception await(List<Row> rows, List<CompletableFuture<Void>> answers, List<Long> acked)
            throws InterruptedException {
        Exception failure = null;
        long deadline = System.nanoTime() + ANSWER_LIMIT.toNanos();
        for (int i = 0; i < answers.size(); i++) {
            try {
                answers.get(i).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                acked.add(rows.get(i).id());
            } catch (ExecutionException e) {
                failure = failure == null ? (e.getCause() instanceof Exception c ? c : e) : failure;
            } catch (TimeoutException e) {
                failure = failure == null ? e : failure;
            }
        }
        return failure;
    }
}
