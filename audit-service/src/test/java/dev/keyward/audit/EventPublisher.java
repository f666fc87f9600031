package dev.keyward.audit;

import dev.keyward.events.EventCodec;
import dev.keyward.events.EventData;
import dev.keyward.events.EventType;
import dev.keyward.events.KeywardEvent;
import dev.keyward.testsupport.SharedInfrastructure;
import java.time.Instant;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Publishes events to the real test broker the way the other services do: EventCodec JSON, key = org,
 * each on its type's topic (uses on {@code keyward.usage}, changes on {@code keyward.events}), so
 * every ingestion, chain and exactly-once test here runs across both topics.
 */
final class EventPublisher implements AutoCloseable {

    private final KafkaProducer<String, String> producer;

    EventPublisher() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedInfrastructure.kafkaBootstrapServers());
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        producer = new KafkaProducer<>(props);
    }

    void publish(KeywardEvent event) {
        send(event.topic(), event.partitionKey(), EventCodec.toJson(event));
    }

    /** A record as it arrives on {@code keyward.events}, valid or not. */
    void send(String key, String value) {
        send(KeywardEvent.TOPIC, key, value);
    }

    private void send(String topic, String key, String value) {
        try {
            producer.send(new ProducerRecord<>(topic, key, value)).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("publishing failed", e);
        }
    }

    static String newOrg(String label) {
        return label + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    static KeywardEvent event(String org, EventType type, Instant time, String tokenId, String actor, String repo) {
        return KeywardEvent.of("/keyward/test", type, time, tokenId, EventData.forOrg(org)
                .actor(actor).keyPrefix("kw_prod_o_Ab").repo(repo).operation("git:read").clientIp("10.1.2.3")
                .outcome("success").build());
    }

    static KeywardEvent authFailed(String org, Instant time, String keyPrefix, String clientIp) {
        return KeywardEvent.of("/keyward/repo-service", EventType.AUTH_FAILED, time, null, failure(org, keyPrefix, clientIp).build());
    }

    /** {@code count} identical failures folded into one event, as a verifier sends them. */
    static KeywardEvent authFailed(String org, Instant time, String keyPrefix, String clientIp, long count) {
        return KeywardEvent.of("/keyward/repo-service", EventType.AUTH_FAILED, time, null, failure(org, keyPrefix, clientIp)
                .folded(count, time, time.plusMillis(900)).build());
    }

    private static EventData.Builder failure(String org, String keyPrefix, String clientIp) {
        return EventData.forOrg(org).keyPrefix(keyPrefix).clientIp(clientIp).operation("git:read").outcome("denied")
                .reason("unknown");
    }

    @Override
    public void close() {
        producer.close();
    }
}
