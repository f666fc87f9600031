package dev.keyward.repo;

import dev.keyward.events.EventCodec;
import dev.keyward.events.KeywardEvent;
import dev.keyward.testsupport.SharedInfrastructure;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Reads {@code keyward.events} and {@code keyward.usage} from the real broker, from the beginning, for assertions. */
public final class EventTap implements AutoCloseable {

    private final KafkaConsumer<String, String> consumer;
    private final List<KeywardEvent> seen = new ArrayList<>();

    public EventTap() {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedInfrastructure.kafkaBootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "repo-service-test-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        consumer = new KafkaConsumer<>(p);
        consumer.subscribe(List.of(KeywardEvent.TOPIC, KeywardEvent.USAGE_TOPIC));
    }

    /** Polls once and returns the events seen so far that match. */
    public synchronized List<KeywardEvent> matching(Predicate<KeywardEvent> filter) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
            KeywardEvent e = EventCodec.fromJson(r.value());
            if (!e.partitionKey().equals(r.key())) {
                throw new AssertionError("record key " + r.key() + " is not the event's org " + e.partitionKey());
            }
            seen.add(e);
        }
        return seen.stream().filter(filter).toList();
    }

    /** Every raw record value seen, to check that no secret was ever published. */
    public synchronized List<String> rawJson() {
        return seen.stream().map(EventCodec::toJson).toList();
    }

    @Override
    public void close() {
        consumer.close();
    }
}
