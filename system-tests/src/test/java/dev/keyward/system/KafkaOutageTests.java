package dev.keyward.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.keyward.localstack.EmbeddedKafka;
import dev.keyward.testsupport.GitCli;
import io.restassured.path.json.JsonPath;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The Kafka broker stops while tokens are created and revoked and git and the API are used, then
 * comes back. Token changes travel through token-service's outbox and uses through the verifier's
 * producer: the audit trail must end up holding every event of the outage exactly once, and the
 * same events as the topic. Revocation must still take effect while the broker is gone.
 */
class KafkaOutageTests {

    private static final String REPOS = "fault-kafka";
    private static final String REPO = REPOS + "/r";
    private static final int API_READS = 3;

    private final SystemStack system = SystemStack.shared();
    private final EmbeddedKafka broker = system.stack().kafka();

    @AfterEach
    void brokerBack() {
        broker.start();
    }

    @Test
    void noEventOfTheOutageIsLostOrDuplicatedInTheAuditTrail() throws Exception {
        JsonPath creator = system.createCreator("kafka-outage-creator", REPOS + "/*");
        String bearer = creator.getString("token");
        system.createRepoWithCommit(bearer, REPO);
        Map<String, List<String>> read = Map.of("repos:" + REPOS + "/*", List.of("git:read"));
        JsonPath before = system.createToken(bearer, "kafka-before", "repo", read);
        assertThat(system.git(system.work(), "ls-remote", system.gitUrl(before.getString("token"), REPO)).exitCode()).isZero();

        long stopped = System.nanoTime();
        broker.stop();
        // token-service reports the broker in its readiness: the outage has been noticed.
        await().atMost(Duration.ofSeconds(30)).until(() -> system.readiness(system.stack().tokenServiceUrl()) == 503);

        JsonPath cloner = system.createToken(bearer, "kafka-cloner", "repo", read);
        JsonPath reader = system.createToken(bearer, "kafka-reader", "repo", read);
        JsonPath doomed = system.createToken(bearer, "kafka-doomed", "repo", read);
        Path work = Files.createTempDirectory(system.work(), "kafka");
        for (int i = 0; i < 2; i++) {
            GitCli.Result clone = system.git(work, "clone", system.gitUrl(cloner.getString("token"), REPO),
                    work.resolve("clone" + i).toString());
            assertThat(clone.exitCode()).as(clone.output()).isZero();
        }
        for (int i = 0; i < API_READS; i++) {
            SystemStack.HttpAnswer answer = SystemStack.get(repoUrl(), reader.getString("token"));
            assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        }
        // Revocation cannot travel as an event now: the verifier's short cache (750 ms) still ends it,
        // well before the 10 s allowed here for a loaded machine.
        for (JsonPath revoked : List.of(before, doomed)) {
            system.revoke(bearer, revoked.getString("id"));
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).untilAsserted(() ->
                    assertThat(SystemStack.get(repoUrl(), revoked.getString("token")).status()).isEqualTo(401));
        }

        // The broker stays away until repo-service's producer has given up on an event (delivery
        // timeout 2 s here) and kept it in its spool: what follows proves the spool loses nothing.
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() ->
                system.log("repo-service").contains("keeping verification events in"));

        broker.start();
        long restarted = System.nanoTime();
        await().atMost(Duration.ofSeconds(30)).until(() -> system.readiness(system.stack().tokenServiceUrl()) == 200);

        Map<String, List<String>> expectedChanges = Map.of(
                before.getString("id"), List.of("token:created", "token:revoked"),
                cloner.getString("id"), List.of("token:created"),
                reader.getString("id"), List.of("token:created"),
                doomed.getString("id"), List.of("token:created", "token:revoked"));
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            for (Map.Entry<String, List<String>> token : expectedChanges.entrySet()) {
                List<String> types = types(system.auditEventsOf(token.getKey()));
                assertThat(types.stream().filter(t -> !t.equals("token:used") && !t.equals("auth:failed")))
                        .as("token changes of %s", token.getKey()).containsExactlyInAnyOrderElementsOf(token.getValue());
            }
            // Uses, counted by what each event stands for (identical ones of a window are folded).
            assertThat(SystemStack.usesIn(system.auditEventsOf(reader.getString("id")), "token:used")).isEqualTo(API_READS);
            assertThat(SystemStack.usesIn(system.auditEventsOf(cloner.getString("id")), "token:used")).isGreaterThanOrEqualTo(2);
        });

        System.out.printf("[reliability] Kafka outage of %d ms: the audit trail was complete %d ms after the broker came back%n",
                (restarted - stopped) / 1_000_000, (System.nanoTime() - restarted) / 1_000_000);

        // Exactly once: each stored event once, and the trail holds what the topic holds. Awaited, the
        // topic read again each time: the wait above is for other events, and the verifier's events
        // buffered during the outage (auth:failed of the revoked keys) may still be on their way.
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            Map<String, Set<String>> topic = topicEventIdsBySubject(expectedChanges.keySet());
            for (String tokenId : expectedChanges.keySet()) {
                List<String> stored = system.auditEventsOf(tokenId).stream().map(e -> (String) e.get("id")).toList();
                assertThat(stored).as("event ids stored for %s", tokenId).doesNotHaveDuplicates();
                assertThat(new HashSet<>(stored)).as("stored vs. published for %s", tokenId)
                        .isEqualTo(topic.getOrDefault(tokenId, Set.of()));
            }
        });
        assertThat(SystemStack.get(system.stack().auditServiceUrl() + "/v1/audit/verify", system.adminToken()).json()
                .getBoolean("ok")).isTrue();
        // repo-service neither dropped nor lost an event while the broker was away; its spool is empty again.
        String metrics = SystemStack.get(system.stack().repoServiceUrl() + "/q/metrics", null).body();
        assertThat(metric(metrics, "keyward_verification_events_dropped")).isZero();
        assertThat(metric(metrics, "keyward_verification_events_failed")).isZero();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(metric(
                SystemStack.get(system.stack().repoServiceUrl() + "/q/metrics", null).body(),
                "keyward_verification_events_spooled")).as("events left in the spool").isZero());
    }

    private String repoUrl() {
        return system.stack().repoServiceUrl() + "/v1/repos/" + REPO;
    }

    private static List<String> types(List<Map<String, Object>> events) {
        return events.stream().map(e -> (String) e.get("type")).toList();
    }

    private static double metric(String exposition, String name) {
        return exposition.lines().filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .findFirst().orElseThrow(() -> new AssertionError("no metric " + name));
    }

    /** Every event id on {@code keyward.events} and {@code keyward.usage} (read to their ends) about the given subjects. */
    private Map<String, Set<String>> topicEventIdsBySubject(Set<String> subjects) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        Map<String, Set<String>> ids = new HashMap<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
            List<TopicPartition> partitions = java.util.stream.Stream.of("keyward.events", "keyward.usage")
                    .flatMap(topic -> consumer.partitionsFor(topic).stream())
                    .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            List<ConsumerRecord<String, String>> records = new ArrayList<>();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                return partitions.stream().allMatch(tp -> consumer.position(tp) >= end.get(tp));
            });
            for (ConsumerRecord<String, String> record : records) {
                JsonPath event = JsonPath.from(record.value());
                String subject = event.getString("subject");
                if (subject != null && subjects.contains(subject)) {
                    ids.computeIfAbsent(subject, s -> new HashSet<>()).add(event.getString("id"));
                }
            }
        }
        return ids;
    }
}
