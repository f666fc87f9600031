package dev.keyward.token;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.keyward.events.EventType;
import dev.keyward.testsupport.KafkaTestResource;
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

            await().atMost(Duration.ofSeconds(10)).until(() -> tap.about(id).size() >= 3);
            List<EventTap.Received> events = tap.about(id);
            assertThat(events).extracting(r -> r.event().type())
                    .containsExactly(EventType.TOKEN_CREATED, EventType.TOKEN_ROTATED, EventType.TOKEN_REVOKED);
            assertThat(events).allSatisfy(r -> {
                assertThat(r.key()).isEqualTo(org.id());
                assertThat(r.event().data().org()).isEqualTo(org.id());
                assertThat(r.event().source()).isEqualTo("/keyward/token-service");
                assertThat(r.event().data().keyPrefix()).hasSize(12);
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
            await().atMost(Duration.ofSeconds(10)).until(() -> !tap.about(id).isEmpty()); // the tap is assigned and caught up
            for (int i = 0; i < 5; i++) {
                String victim = (String) TestOrgs.issue(org.adminKey(), "victim" + i, "repo", SCOPES).get("id");
                Instant revokedAt = Instant.now();
                given().header("x-api-key", org.adminKey()).delete("/v1/tokens/" + victim).then().statusCode(200);
                await().atMost(Duration.ofSeconds(5)).until(() -> tap.about(victim).stream()
                        .anyMatch(r -> r.event().type() == EventType.TOKEN_REVOKED));
                Instant seen = tap.about(victim).stream().filter(r -> r.event().type() == EventType.TOKEN_REVOKED)
                        .findFirst().orElseThrow().receivedAt();
                assertThat(Duration.between(revokedAt, seen)).isLessThan(Duration.ofMillis(1000));
            }
        }
    }

    @Test
    void aRefusedChangeWritesNoEvent() {
        TestOrgs.Org org = orgs.create();
        orgs.sql("update orgs set max_active_per_org = 1 where id = ?", org.id());
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
            } finally {
                kafka.start();
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> tap.ofOrg(org.id()).size() >= 9);
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                    given().get("/q/health/ready").then().statusCode(200));
            // Give late duplicates a chance to show up before counting.
            await().pollDelay(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> true);

            List<EventTap.Received> received = tap.ofOrg(org.id()).stream()
                    .filter(r -> ids.contains(r.event().subject())).toList();
            Set<String> unique = new HashSet<>();
            received.forEach(r -> unique.add(r.event().id()));
            assertThat(received).hasSize(9);
            assertThat(unique).hasSize(9);
            for (int i = 0; i < 6; i++) {
                List<EventType> types = tap.about(ids.get(i)).stream().map(r -> r.event().type()).toList();
                assertThat(types).isEqualTo(i < 3 ? List.of(EventType.TOKEN_CREATED, EventType.TOKEN_REVOKED)
                        : List.of(EventType.TOKEN_CREATED));
            }
            assertThat(orgs.count("select count(*) from event_outbox where org_id = ? and sent_at is null", org.id())).isZero();
        }
    }
}
