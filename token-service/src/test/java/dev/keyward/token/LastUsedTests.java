package dev.keyward.token;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.keyward.events.EventCodec;
import dev.keyward.events.EventData;
import dev.keyward.events.EventType;
import dev.keyward.events.KeywardEvent;
import dev.keyward.testsupport.KafkaTestResource;
import dev.keyward.testsupport.PostgresTestResource;
import dev.keyward.testsupport.SharedInfrastructure;
import dev.keyward.token.messaging.LastUsedRecorder;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/** token:used events from verifiers keep last_used_at, with debounced writes (10 s in tests). */
@QuarkusTest
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "keyward_token"))
@QuarkusTestResource(KafkaTestResource.class)
class LastUsedTests {

    @Inject
    TestOrgs orgs;

    @Inject
    LastUsedRecorder recorder;

    @ConfigProperty(name = "keyward.last-used.debounce")
    Duration debounce;

    @Test
    void usesUpdateLastUsedAtWithAtMostOneWritePerWindow() throws Exception {
        TestOrgs.Org org = orgs.create();
        Map<String, Object> token = TestOrgs.issue(org.adminKey(), "used", "repo", Map.of("repos:app", List.of("git:read")));
        String id = (String) token.get("id");
        Instant first = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        try (KafkaProducer<String, String> producer = producer()) {
            send(producer, org.id(), id, first);
            await().atMost(Duration.ofSeconds(60)).until(() -> first.equals(lastUsed(id)));
            double writes = recorder.writeCount();

            // A burst inside the window that write opened (10 s in tests): no write until it ends...
            Instant latest = first;
            for (int i = 1; i <= 4; i++) {
                latest = first.plusMillis(100L * i);
                send(producer, org.id(), id, latest);
            }
            // The last one folds uses of a window (as verifiers send them): its last use counts, not its time.
            latest = first.plusMillis(500);
            sendFolded(producer, org.id(), id, first.plusMillis(450), latest);
            await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(5)).until(() -> first.equals(lastUsed(id)));
            // ...then one write of the latest use, once the window is over: the first write came after
            // `first` was taken, so a whole window has passed since.
            Instant expected = latest;
            await().atMost(Duration.ofSeconds(60)).until(() -> expected.equals(lastUsed(id)));
            assertThat(Duration.between(first, Instant.now())).as("delayed write after the window")
                    .isGreaterThanOrEqualTo(debounce);
            assertThat(recorder.writeCount()).isGreaterThan(writes);
        }
        // The API shows it too.
        String shown = given().header("x-api-key", org.adminKey()).get("/v1/tokens/" + id)
                .then().statusCode(200).extract().jsonPath().getString("last_used_at");
        assertThat(Instant.parse(shown)).isEqualTo(first.plusMillis(500));
    }

    private Instant lastUsed(String id) {
        return orgs.instant("select last_used_at from tokens where id = ?", id);
    }

    private static void send(KafkaProducer<String, String> producer, String org, String tokenId, Instant at) throws Exception {
        KeywardEvent used = KeywardEvent.of("/keyward/repo-service", EventType.TOKEN_USED, at, tokenId,
                EventData.forOrg(org).actor(tokenId).operation("git:read").outcome("success").build());
        producer.send(new ProducerRecord<>(KeywardEvent.USAGE_TOPIC, org, EventCodec.toJson(used))).get();
    }

    private static void sendFolded(KafkaProducer<String, String> producer, String org, String tokenId, Instant first,
                                   Instant last) throws Exception {
        KeywardEvent used = KeywardEvent.of("/keyward/repo-service", EventType.TOKEN_USED, first, tokenId,
                EventData.forOrg(org).actor(tokenId).operation("git:read").outcome("success").folded(7, first, last).build());
        producer.send(new ProducerRecord<>(KeywardEvent.USAGE_TOPIC, org, EventCodec.toJson(used))).get();
    }

    private static KafkaProducer<String, String> producer() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedInfrastructure.kafkaBootstrapServers());
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        return new KafkaProducer<>(props);
    }
}
