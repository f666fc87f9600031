package dev.keyward.verification.quarkus;

import dev.keyward.events.EventCodec;
import dev.keyward.events.KeywardEvent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Publishes verification events to their topic ({@code keyward.usage}, {@link KeywardEvent#topicOf}; key = org id) with a plain Kafka producer.
 * The value is already encoded (on the request thread); a failed send is reported to the caller's
 * {@link EventSink.Failures}.
 */
public final class KafkaEventSink implements EventSink, AutoCloseable {

    private static final byte[] CONTENT_TYPE = EventCodec.CONTENT_TYPE.getBytes(StandardCharsets.UTF_8);

    private final KafkaProducer<String, byte[]> producer;

    /**
     * @param deliveryTimeout how long the producer retries an event before it reports it
     *                        undelivered (to the spool, when there is one)
     * @param maxBlock        how long a send may wait for buffer space or the topic's metadata
     */
    public KafkaEventSink(String bootstrapServers, String clientId, Duration deliveryTimeout, Duration maxBlock) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        // The request thread already wrote the JSON bytes: the events thread only passes them on.
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        // Every use belongs in the audit trail: acknowledged by all in-sync replicas (idempotent, so a retry adds no copy).
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        // Thousands of uses a second: a batch closes by time (5 ms) rather than by size, so each request to the broker carries many.
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, "65536");
        // Blocks only the events thread, never a request; beyond this the event is undelivered.
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, String.valueOf(maxBlock.toMillis()));
        long delivery = deliveryTimeout.toMillis();
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, String.valueOf(delivery));
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, String.valueOf(Math.min(30_000, Math.max(1_000, delivery / 2 - 10))));
        this.producer = new KafkaProducer<>(p);
    }

    @Override
    public void publish(EncodedEvent event, Failures failures) {
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(KeywardEvent.topicOf(event.type()), event.key(), event.json());
        record.headers().add("content-type", CONTENT_TYPE);
        producer.send(record, (metadata, e) -> {
            if (e != null) {
                failures.failed(event, e);
            }
        });
    }

    @Override
    public void flush() {
        producer.flush();
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
