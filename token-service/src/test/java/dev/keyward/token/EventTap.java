package dev.keyward.token;

import dev.keyward.events.EventCodec;
import dev.keyward.events.KeywardEvent;
import dev.keyward.testsupport.SharedInfrastructure;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads keyward.events and keyward.usage from the beginning with a plain KafkaConsumer, as a downstream service
 * would, and keeps every record (duplicates included) for assertions.
 */
public final class EventTap implements AutoCloseable {

    /** One record as it arrived: its Kafka key, raw JSON, the parsed event and when it was read. */
    public record Received(String key, String json, KeywardEvent event, Instant receivedAt) {
    }

    private final KafkaConsumer<String, String> consumer;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;

    public EventTap() {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedInfrastructure.kafkaBootstrapServers());
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
                    received.add(new Received(r.key(), r.value(), EventCodec.fromJson(r.value()), Instant.now()));
                }
            }
        } catch (WakeupException e) {
            // closing
        } finally {
            consumer.close();
        }
    }

    /** Every record about token {@code subject}. */
    public List<Received> about(String subject) {
        return received.stream().filter(r -> subject.equals(r.event().subject())).toList();
    }

    /**
     * Every event about token {@code subject} once, in the order first read: the outbox publishes at
     * least once, so a send that timed out may be published again with the same event id.
     */
    public List<Received> onceAbout(String subject) {
        Set<String> seen = new HashSet<>();
        return about(subject).stream().filter(r -> seen.add(r.event().id())).toList();
    }

    /** Every record of {@code org}. */
    public List<Received> ofOrg(String org) {
        return received.stream().filter(r -> org.equals(r.event().data().org())).toList();
    }

    public List<Received> all() {
        return List.copyOf(received);
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        consumer.wakeup();
        thread.join(5_000);
    }
}
