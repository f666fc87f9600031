package dev.keyward.verification.quarkus;

import dev.keyward.events.EventCodec;
import dev.keyward.events.EventType;
import dev.keyward.events.KeywardEvent;
import dev.keyward.verification.OrgRules;
import dev.keyward.verification.TokenVerifier;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Evicts cached verifications on {@code token:revoked} and {@code token:rotated}, and applies org
 * state changes ({@code org:suspended}, {@code org:resumed}, {@code org:deleted}) and
 * {@code policy:changed} to the verifier's {@link dev.keyward.verification.OrgRulesCache}. Every replica must
 * see every such event, so it reads all partitions from the end without a consumer group (nothing
 * to rebalance, nothing to commit); events from before its start are covered by the cache TTL.
 * The topic is mostly {@code token:used} (one per authorized request of every service), so a record
 * is only decoded and parsed when its bytes name one of the two types this listener acts on.
 */
final class RevocationListener implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(RevocationListener.class.getName());

    private final TokenVerifier verifier;
    private static final byte[][] WANTED_TYPES = {
            EventType.TOKEN_REVOKED.wireName().getBytes(StandardCharsets.UTF_8),
            EventType.TOKEN_ROTATED.wireName().getBytes(StandardCharsets.UTF_8),
            EventType.ORG_SUSPENDED.wireName().getBytes(StandardCharsets.UTF_8),
            EventType.ORG_RESUMED.wireName().getBytes(StandardCharsets.UTF_8),
            EventType.ORG_DELETED.wireName().getBytes(StandardCharsets.UTF_8),
            EventType.POLICY_CHANGED.wireName().getBytes(StandardCharsets.UTF_8)};

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Thread thread;
    private volatile boolean running = true;

    RevocationListener(String bootstrapServers, String clientId, TokenVerifier verifier) {
        this.verifier = verifier;
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "100");
        // Busy topic: fewer, larger fetches (each costs bookkeeping); a quiet one still answers within 100 ms.
        p.put(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, "65536");
        this.consumer = new KafkaConsumer<>(p);
        this.thread = new Thread(this::run, "keyward-revocation-listener");
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    private void run() {
        try {
            assignAllPartitions();
            while (running) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    if (record.value() != null && mayBeWanted(record.value())) {
                        handle(new String(record.value(), StandardCharsets.UTF_8));
                    }
                }
            }
        } catch (WakeupException e) {
            // close() was called
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "revocation listener stopped; cached tokens now expire by TTL only", e);
        } finally {
            consumer.close(Duration.ofSeconds(2));
        }
    }

    private void assignAllPartitions() {
        while (running) {
            try {
                List<TopicPartition> partitions = consumer.partitionsFor(KeywardEvent.TOPIC, Duration.ofSeconds(5)).stream()
                        .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
                if (!partitions.isEmpty()) {
                    consumer.assign(partitions);
                    consumer.seekToEnd(partitions);
                    partitions.forEach(consumer::position); // resolve "end" now, not at the first poll
                    return;
                }
            } catch (org.apache.kafka.common.errors.TimeoutException e) {
                // broker not reachable yet: try again
            }
            LockSupport.parkNanos(Duration.ofSeconds(1).toNanos());
        }
    }

    /** Whether the raw event names one of the wanted types anywhere (one pass, before any decoding). */
    static boolean mayBeWanted(byte[] value) {
        for (int i = 0; i < value.length; i++) {
            for (byte[] type : WANTED_TYPES) {
                if (value[i] == type[0] && startsAt(value, i, type)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean startsAt(byte[] value, int at, byte[] part) {
        if (at + part.length > value.length) {
            return false;
        }
        for (int j = 1; j < part.length; j++) {
            if (value[at + j] != part[j]) {
                return false;
            }
        }
        return true;
    }

    void handle(String json) {
        try {
            KeywardEvent event = EventCodec.fromJson(json);
            String org = event.data() == null ? null : event.data().org();
            switch (event.type()) {
                case TOKEN_REVOKED, TOKEN_ROTATED -> {
                    if (event.subject() != null) {
                        verifier.evictToken(event.subject());
                    }
                }
                case ORG_SUSPENDED -> orgState(org, OrgRules.SUSPENDED);
                case ORG_DELETED -> orgState(org, OrgRules.DELETED);
                case ORG_RESUMED -> orgState(org, OrgRules.ACTIVE);
                case POLICY_CHANGED -> verifier.orgs().refresh();
                default -> { }
            }
        } catch (EventCodec.MalformedEventException e) {
            // Not ours to judge; the audit service reports malformed events.
        }
    }

    private void orgState(String org, String state) {
        if (org != null) {
            verifier.orgs().stateChanged(org, state);
        }
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
