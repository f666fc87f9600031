package dev.keyward.token;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.keyward.events.EventType;
import dev.keyward.testsupport.EventTap;
import dev.keyward.testsupport.KafkaTestResource;
import dev.keyward.testsupport.MonitoredMetrics;
import dev.keyward.testsupport.PostgresTestResource;
import dev.keyward.testsupport.SharedInfrastructure;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Events leave through the transactional outbox, fast, once, and survive a Kafka outage. */
@QuarkusTest
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "keyward_token"))
@QuarkusTestResource(KafkaTestResource.class)
class EventOutboxTests {

    static final Map<String, List<String>> SCOPES = Map.of("repos:app", List.of("git:read"));

    @Inject
    TestOrgs orgs;

    @Test
    void createRotateRevokeArePublishedWithoutSecrets() throws Exception {
        TestOrgs.Org org = orgs.create();
        try (EventTap tap = new EventTap()) {
            Map<String, Object> token = TestOrgs.issue(org.adminKey(), "evented", "repo", SCOPES);
            String id = (String) token.get("id");
            String rotatedKey = given().header("x-api-key", org.adminKey()).post("/v1/tokens/" + id + "/rotate")
                    .then().statusCode(200).extract().jsonPath().getString("token");
            given().header("x-api-key", org.adminKey()).delete("/v1/tokens/" + id).then().statusCode(200);

            await().atMost(Duration.ofSeconds(30)).until(() -> tap.onceAbout(id).size() >= 3);
            List<EventTap.Received> events = tap.onceAbout(id);
            assertThat(events).extracting(r -> r.event().type())
                    .containsExactly(EventType.TOKEN_CREATED, EventType.TOKEN_ROTATED, EventType.TOKEN_REVOKED);
            assertThat(events).allSatisfy(r -> {
                assertThat(r.key()).isEqualTo(org.id());
                assertThat(r.event().data().org()).isEqualTo(org.id());
                assertThat(r.event().source()).isEqualTo("/keyward/token-service");
                assertThat(r.event().data().keyPrefix()).matches("kw_(prod|dev)_[or]_[0-9A-Za-z]{8}");
                assertThat(r.json()).doesNotContain((String) token.get("token")).doesNotContain(rotatedKey)
                        .doesNotContain(org.adminKey());
            });
            assertThat(events.get(0).event().data().keyPrefix()).isEqualTo(token.get("key_prefix"));
            assertThat(events.get(1).event().data().attributes()).containsEntry("previous_key_prefix", token.get("key_prefix"));
            assertThat(orgs.count("select count(*) from event_outbox where sent_at is null and org_id = ?", org.id())).isZero();
        }
    }

    @Test
    void aRevocationReachesConsumersWellUnderASecond() throws Exception {
        TestOrgs.Org org = orgs.create();
        try (EventTap tap = new EventTap()) {
            String id = (String) TestOrgs.issue(org.adminKey(), "to revoke", "repo", SCOPES).get("id");
            await().atMost(Duration.ofSeconds(30)).until(() -> !tap.about(id).isEmpty()); // the tap is assigned and caught up
            List<Duration> took = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                String victim = (String) TestOrgs.issue(org.adminKey(), "victim" + i, "repo", SCOPES).get("id");
                Instant revokedAt = Instant.now();
                given().header("x-api-key", org.adminKey()).delete("/v1/tokens/" + victim).then().statusCode(200);
                await().atMost(Duration.ofSeconds(10)).until(() -> tap.about(victim).stream()
                        .anyMatch(r -> r.event().type() == EventType.TOKEN_REVOKED));
                Instant seen = tap.about(victim).stream().filter(r -> r.event().type() == EventType.TOKEN_REVOKED)
                        .findFirst().orElseThrow().receivedAt();
                took.add(Duration.between(revokedAt, seen));
            }
            // The 1 s target is a percentile (the benchmark measures p99); one slow round on a busy machine is no failure.
            assertThat(took.stream().sorted().toList().get(2)).as("median of %s", took).isLessThan(Duration.ofSeconds(1));
            assertThat(took).allSatisfy(t -> assertThat(t).isLessThan(Duration.ofSeconds(5)));
        }
    }

    @Test
    void aRefusedChangeWritesNoEvent() {
        TestOrgs.Org org = orgs.create();
        TestOrgs.policy(org, Map.of("max_tokens_per_org", 1));
        long before = orgs.count("select count(*) from event_outbox where org_id = ?", org.id());
        TestOrgs.create(org.adminKey(), TestOrgs.body("over", "repo", SCOPES)).then().statusCode(409);
        assertThat(orgs.count("select count(*) from event_outbox where org_id = ?", org.id())).isEqualTo(before);
    }

    @Test
    void kafkaDownDelaysEventsButLosesNoneAndDuplicatesNone() throws Exception {
        TestOrgs.Org org = orgs.create();
        var kafka = SharedInfrastructure.embeddedKafka().orElseThrow();
        List<String> ids = new ArrayList<>();
        await().atMost(Duration.ofSeconds(10)).until(() ->
                orgs.count("select count(*) from event_outbox where org_id = ? and sent_at is null", org.id()) == 0);
        try (EventTap tap = new EventTap()) {
            kafka.stop();
            try {
                await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                        given().get("/q/health/ready").then().statusCode(503));
                for (int i = 0; i < 6; i++) {
                    ids.add((String) TestOrgs.issue(org.adminKey(), "outage" + i, "repo", SCOPES).get("id"));
                }
                for (int i = 0; i < 3; i++) {
                    given().header("x-api-key", org.adminKey()).delete("/v1/tokens/" + ids.get(i)).then().statusCode(200);
                }
                assertThat(orgs.count("select count(*) from event_outbox where org_id = ? and sent_at is null", org.id()))
                        .isEqualTo(9);
                // What the outbox alert and panel read: the backlog and how long its oldest row has waited.
                await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                    String metrics = MetricsTests.scrape();
                    assertThat(MonitoredMetrics.value(metrics, "keyward_outbox_backlog_events")).isGreaterThanOrEqualTo(9);
                    assertThat(MonitoredMetrics.value(metrics, "keyward_outbox_oldest_age_seconds")).isGreaterThan(0);
                });
            } finally {
                kafka.start();
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> eventIds(tap, ids).size() >= 9);
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                    given().get("/q/health/ready").then().statusCode(200));

            // At least once: a send that timed out during the outage may be published again, with the
            // same event id. Consumers deduplicate by id; what must hold is that no event is lost and
            // none is invented.
            List<EventTap.Received> received = tap.ofOrg(org.id()).stream()
                    .filter(r -> ids.contains(r.event().subject())).toList();
            assertThat(received).hasSizeGreaterThanOrEqualTo(9);
            assertThat(eventIds(tap, ids)).hasSize(9);
            for (int i = 0; i < 6; i++) {
                List<EventType> types = tap.onceAbout(ids.get(i)).stream().map(r -> r.event().type()).toList();
                assertThat(types).isEqualTo(i < 3 ? List.of(EventType.TOKEN_CREATED, EventType.TOKEN_REVOKED)
                        : List.of(EventType.TOKEN_CREATED));
            }
            await().atMost(Duration.ofSeconds(30)).until(() ->
                    orgs.count("select count(*) from event_outbox where org_id = ? and sent_at is null", org.id()) == 0);
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                String metrics = MetricsTests.scrape();
                assertThat(MonitoredMetrics.value(metrics, "keyward_outbox_backlog_events")).isZero();
                assertThat(MonitoredMetrics.value(metrics, "keyward_outbox_oldest_age_seconds")).isZero();
            });
        }
    }

    /** The distinct ids of the events read about the given tokens. */
    private static Set<String> eventIds(EventTap tap, List<String> tokenIds) {
        Set<String> unique = new HashSet<>();
        tokenIds.forEach(id -> tap.onceAbout(id).forEach(r -> unique.add(r.event().id())));
        return unique;
    }
}
