package dev.keyward.testsupport;

import dev.keyward.events.EventCodec;
import dev.keyward.events.KeywardEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads both Keyward topics ({@link KeywardEvent#TOPIC} and {@link KeywardEvent#USAGE_TOPIC}) from
 * the beginning with a plain consumer, as a downstream service would, and keeps every record
 * (duplicates included) for assertions. A record whose key is not its event's org fails every
 * later read: one org's events must stay on one partition, in order.
 */
public final class EventTap implements AutoCloseable {

    /** One record as it arrived: its Kafka key, raw JSON, the parsed event, when it was read and its header names. */
    public record Received(String key, String json, KeywardEvent event, Instant receivedAt, Set<String> headers) {
    }

    private final KafkaConsumer<String, String> consumer;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile String misplaced;

    /** A tap on the broker the tests of this JVM share. */
    public EventTap() {
        this(SharedInfrastructure.kafkaBootstrapServers());
    }

    /** A tap on the broker at {@code bootstrapServers}. */
    public EventTap(String bootstrapServers) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "test-tap-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        consumer = new KafkaConsumer<>(props);
        consumer.subscribe(List.of(KeywardEvent.TOPIC, KeywardEvent.USAGE_TOPIC));
        thread = new Thread(this::run, "test-event-tap");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        try {
            while (running) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(50))) {
                    KeywardEvent event = EventCodec.fromJson(r.value());
                    if (!event.partitionKey().equals(r.key())) {
                        misplaced = "record key " + r.key() + " is not the event's org " + event.partitionKey();
                    }
                    Set<String> headers = new HashSet<>();
                    r.headers().forEach(h -> headers.add(h.key()));
                    received.add(new Received(r.key(), r.value(), event, Instant.now(), Set.copyOf(headers)));
                }
            }
        } catch (WakeupException e) {
            // closing
        } finally {
            consumer.close();
        }
    }

    /** Every record read so far. */
    public List<Received> all() {
        if (misplaced != null) {
            throw new AssertionError(misplaced);
        }
        return List.copyOf(received);
    }

    /** Every record about token {@code subject}. */
    public List<Received> about(String subject) {
        return all().stream().filter(r -> subject.equals(r.event().subject())).toList();
    }

    /**
     * Every event about token {@code subject} once, in the order first read: events are published at
     * least once, so a send that timed out may be published again with the same event id.
     */
    public List<Received> onceAbout(String subject) {
        Set<String> seen = new HashSet<>();
        return about(subject).stream().filter(r -> seen.add(r.event().id())).toList();
    }

    /** Every record of {@code org}. */
    public List<Received> ofOrg(String org) {
        return all().stream().filter(r -> org.equals(r.event().data().org())).toList();
    }

    /** The events read so far that match. */
    public List<KeywardEvent> matching(Predicate<KeywardEvent> filter) {
        return all().stream().map(Received::event).filter(filter).toList();
    }

    /** Every raw record value read so far, to check that no secret was ever published. */
    public List<String> rawJson() {
        return all().stream().map(Received::json).toList();
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
