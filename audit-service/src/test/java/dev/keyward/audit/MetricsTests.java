package dev.keyward.audit;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.keyward.audit.metrics.AuditMetrics;
import dev.keyward.events.EventType;
import dev.keyward.events.KeywardEvent;
import dev.keyward.testsupport.KafkaTestResource;
import dev.keyward.testsupport.MonitoredMetrics;
import dev.keyward.testsupport.PostgresTestResource;
import dev.keyward.testsupport.SharedInfrastructure;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** /q/metrics: what the monitoring component reads from audit-service, and that it moves with the events. */
@QuarkusTest
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "keyward_audit"))
@QuarkusTestResource(KafkaTestResource.class)
class MetricsTests extends AuditTestBase {

    private static String scrape() {
        return given().get("/q/metrics").then().statusCode(200).extract().asString();
    }

    @Test
    void servesEveryMetricTheAlertsAndTheDashboardName() {
        given().get("/v1/audit/events").then().statusCode(401); // one request for the HTTP server metrics

        assertThat(MonitoredMetrics.namesIn(scrape())).containsAll(MonitoredMetrics.expectedFrom("audit-service"));
    }

    @Test
    void countsStoredDuplicateAndMalformedEvents() {
        String org = EventPublisher.newOrg("metrics");
        String before = scrape();
        KeywardEvent event = EventPublisher.event(org, EventType.TOKEN_USED, Instant.now(), "tok_m", "user-1", "team/app");
        try (EventPublisher publisher = new EventPublisher()) {
            publisher.publish(event);
            publisher.publish(event); // a redelivery
            publisher.send(org, "{\"not\": \"an event\"}");
        }

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            String after = scrape();
            assertThat(delta(before, after, "keyward_audit_events_stored_total")).isGreaterThanOrEqualTo(1);
            assertThat(delta(before, after, "keyward_audit_events_duplicates_total")).isGreaterThanOrEqualTo(1);
            assertThat(delta(before, after, "keyward_audit_events_malformed_total")).isGreaterThanOrEqualTo(1);
        });
        awaitStored(TestKeys.auditor(org), 1);
    }

    @Test
    void countsOrgsWhoseFailedAuthenticationsReachTheAlertLevel() {
        String org = EventPublisher.newOrg("guessing");
        try (EventPublisher publisher = new EventPublisher()) {
            // 25 failures of one prefix within the minute: above the alert level (20).
            for (int i = 0; i < 25; i++) {
                publisher.publish(EventPublisher.authFailed(org, Instant.now(), "kw_prod_o_Gs", "198.51.100." + i));
            }
        }
        awaitStored(TestKeys.auditor(org), 25);

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(MonitoredMetrics.value(scrape(), "keyward_auth_health_orgs", "status", "alert")).isGreaterThanOrEqualTo(1));
    }

    @Test
    void consumerLagIsTheRecordsAfterTheConsumersPosition() throws Exception {
        String topic = "lag-" + UUID.randomUUID();
        String servers = SharedInfrastructure.kafkaBootstrapServers();
        Properties common = new Properties();
        common.put("bootstrap.servers", servers);
        try (Admin admin = Admin.create(common)) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
        }
        Properties producerProps = new Properties();
        producerProps.putAll(common);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerProps, new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < 5; i++) {
                producer.send(new ProducerRecord<>(topic, "k", "v" + i)).get();
            }
        }
        Properties consumerProps = new Properties();
        consumerProps.putAll(common);
        consumerProps.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "2");
        consumerProps.put(ConsumerConfig.GROUP_ID_CONFIG, topic);
        consumerProps.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerProps, new StringDeserializer(), new StringDeserializer())) {
            consumer.assign(List.of(new TopicPartition(topic, 0)));
            assertThat(AuditMetrics.lagOf(consumer)).as("nothing fetched yet").isZero();
            int read = 0;
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (read == 0 && System.nanoTime() < deadline) {
                read = consumer.poll(Duration.ofMillis(500)).count();
            }

            assertThat(read).isEqualTo(2);
            assertThat(AuditMetrics.lagOf(consumer)).isEqualTo(3);
        }
        // The service's own consumer keeps up with what the tests publish.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(MonitoredMetrics.value(scrape(), "keyward_audit_consumer_lag_records")).isZero());
    }

    private static double delta(String before, String after, String name) {
        return MonitoredMetrics.value(after, name) - MonitoredMetrics.value(before, name);
    }
}
