package dev.keyward.token.messaging;

import dev.keyward.events.EventCodec;
import dev.keyward.events.EventType;
import dev.keyward.events.KeywardEvent;
import dev.keyward.token.repository.BlockingDatabase;
import dev.keyward.token.repository.TokenRepository;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Keeps {@code last_used_at} from the {@code token:used} events verifiers publish on
 * {@code keyward.usage} (so it no longer reads the change events). Uses are
 * frequent, so writes are debounced: at most one database write per token per
 * {@code keyward.last-used.debounce}; a use inside the window is written when the window ends.
 * Runs a plain Kafka consumer on its own thread.
 */
@ApplicationScoped
public class LastUsedRecorder {

    private static final Logger LOG = Logger.getLogger(LastUsedRecorder.class);

    private final BlockingDatabase database;
    private final TokenRepository tokens;
    private final String bootstrapServers;
    private final String groupId;
    private final Duration debounce;
    private final boolean enabled;
    private final Counter writes;
    private final Map<String, Pending> byToken = new HashMap<>();
    private volatile boolean running;
    private volatile KafkaConsumer<String, String> consumer;
    private Thread thread;

    public LastUsedRecorder(BlockingDatabase database, TokenRepository tokens, MeterRegistry registry,
                            @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers,
                            @ConfigProperty(name = "keyward.last-used.group-id", defaultValue = "token-service-last-used") String groupId,
                            @ConfigProperty(name = "keyward.last-used.debounce", defaultValue = "60s") Duration debounce,
                            @ConfigProperty(name = "keyward.last-used.enabled", defaultValue = "true") boolean enabled) {
        this.database = database;
        this.tokens = tokens;
        this.bootstrapServers = bootstrapServers;
        this.groupId = groupId;
        this.debounce = debounce;
        this.enabled = enabled;
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

    void start(@Observes StartupEvent event) {
        if (!enabled) {
            return;
        }
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "token-service-last-used");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "true");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        consumer = new KafkaConsumer<>(props);
        running = true;
        thread = new Thread(this::run, "keyward-last-used");
        thread.setDaemon(true);
        thread.start();
    }

    void stop(@Observes ShutdownEvent event) {
        running = false;
        KafkaConsumer<String, String> c = consumer;
        if (c != null) {
            c.wakeup();
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Database writes so far (also the {@code keyward.last_used.writes} metric). */
    public double writeCount() {
        return writes.count();
    }

    private void run() {
        try (KafkaConsumer<String, String> c = consumer) {
            c.subscribe(List.of(KeywardEvent.USAGE_TOPIC));
            while (running) {
                for (ConsumerRecord<String, String> record : c.poll(Duration.ofMillis(250))) {
                    handle(record.value());
                }
                flushDue(Instant.now());
            }
        } catch (WakeupException e) {
            // shutting down
        } catch (RuntimeException e) {
            LOG.error("last-used consumer stopped", e);
        }
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
        Pending p = byToken.computeIfAbsent(event.subject(), id -> new Pending(event.data().org()));
        if (p.writtenAt == null || !now.isBefore(p.writtenAt.plus(debounce))) {
            write(event.subject(), p, event.time(), now);
        } else if (p.waiting == null || event.time().isAfter(p.waiting)) {
            p.waiting = event.time();
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
