package dev.keyward.verification.quarkus;

import dev.keyward.events.EventCodec;
import dev.keyward.events.KeywardEvent;
import dev.keyward.verification.EventSink;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/** Publishes verification events to {@code keyward.events} (key = org id) with a plain Kafka producer. */
public final class KafkaEventSink implements EventSink, AutoCloseable {

    private final KafkaProducer<String, String> producer;

    public KafkaEventSink(String bootstrapServers, String clientId) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        // Blocks only the events thread, never a request; beyond this the event counts as failed.
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "10000");
        this.producer = new KafkaProducer<>(p);
    }

    @Override
    public void publish(KeywardEvent event) {
        ProducerRecord<String, String> record = new ProducerRecord<>(KeywardEvent.TOPIC, event.partitionKey(), EventCodec.toJson(event));
        record.headers().add("content-type", EventCodec.CONTENT_TYPE.getBytes(StandardCharsets.UTF_8));
        producer.send(record);
    }

    @Override
    public void close() {
        producer.close(java.time.Duration.ofSeconds(5));
    }
}
