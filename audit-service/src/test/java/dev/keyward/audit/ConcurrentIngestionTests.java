package dev.keyward.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keyward.audit.service.EventIngestion;
import dev.keyward.events.EventType;
import dev.keyward.events.KeywardEvent;
import dev.keyward.testsupport.KafkaTestResource;
import dev.keyward.testsupport.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Several consumers (replicas, partitions after a rebalance) storing batches of the same orgs at
 * once, with overlapping event ids: every event is stored once and each org's chain stays intact.
 * Also large enough that export and verify cross their chunk boundaries.
 */
@QuarkusTest
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "keyward_audit"))
@QuarkusTestResource(KafkaTestResource.class)
class ConcurrentIngestionTests extends AuditTestBase {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    EventIngestion ingestion;

    @Test
    void concurrentBatchesOfOneOrgKeepItsChainIntact() throws Exception {
        String org = EventPublisher.newOrg("busy");
        String second = EventPublisher.newOrg("busy-too");
        List<KeywardEvent> events = new ArrayList<>();
        Instant start = Instant.parse("2026-02-01T00:00:00Z");
        for (int i = 0; i < 6000; i++) {
            events.add(EventPublisher.event(i % 5 == 0 ? second : org, EventType.TOKEN_USED, start.plusMillis(i),
                    "tok_" + (i % 7), "user", "team/alpha"));
        }
        // Eight batches of 1,000 running at once; consecutive batches overlap by 250 events.
        List<Uni<Integer>> batches = new ArrayList<>();
        for (int b = 0; b < 8; b++) {
            int from = Math.min(b * 750, events.size() - 1000);
            batches.add(ingestion.ingest(events.subList(from, from + 1000)));
        }
        batches.add(ingestion.ingest(events));
        List<Integer> inserted = Uni.join().all(batches).andFailFast().await().atMost(Duration.ofMinutes(2));

        assertThat(inserted.stream().mapToInt(Integer::intValue).sum()).isEqualTo(6000);
        as(TestKeys.auditor(org)).get("/v1/audit/verify").then().statusCode(200)
                .body("ok", equalTo(true)).body("checked", equalTo(4800)).body("head_seq", equalTo(4800));
        as(TestKeys.auditor(second)).get("/v1/audit/verify").then().statusCode(200)
                .body("ok", equalTo(true)).body("checked", equalTo(1200));

        // Export streams all 4,800 across several database chunks, oldest first, each once.
        String export = as(TestKeys.auditor(org)).get("/v1/audit/export").then().statusCode(200).extract().asString();
        List<String> ids = new ArrayList<>();
        for (String line : export.split("\n")) {
            ids.add(JSON.readTree(line).get("id").asText());
        }
        assertThat(ids).containsExactlyElementsOf(events.stream().filter(e -> e.data().org().equals(org))
                .map(KeywardEvent::id).toList());

        // Storing everything again changes nothing.
        assertThat(ingestion.ingest(events).await().atMost(Duration.ofMinutes(1))).isZero();
    }
}
