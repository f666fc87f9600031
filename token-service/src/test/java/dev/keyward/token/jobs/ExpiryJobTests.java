package dev.keyward.token.jobs;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.keyward.events.EventType;
import dev.keyward.testsupport.EventTap;
import dev.keyward.testsupport.KafkaTestResource;
import dev.keyward.testsupport.PostgresTestResource;
import dev.keyward.token.TestOrgs;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Expiry cleanup: marking, token:expired once, the active listing, retention purge, the trigger. */
@QuarkusTest
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "keyward_token"))
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(MailServerResource.class)
class ExpiryJobTests {

    static final Map<String, List<String>> SCOPES = Map.of("repos:app", List.of("git:read"));

    @Inject
    TestOrgs orgs;

    @Inject
    MutableClock clock;

    @AfterEach
    void resetClock() {
        clock.reset();
    }

    static JsonPath runJob(String name) {
        return given().header("X-Keyward-Internal", TestOrgs.INTERNAL_SECRET).post("/internal/jobs/" + name + "/run")
                .then().statusCode(200).extract().jsonPath();
    }

    static Map<String, Object> issue(String adminKey, String name, long expiresIn) {
        return TestOrgs.create(adminKey, Map.of("name", name, "kind", "repo", "scopes", SCOPES, "expires_in", expiresIn))
                .then().statusCode(201).extract().jsonPath().getMap("");
    }

    static List<String> listedIds(String adminKey, String state) {
        return given().header("x-api-key", adminKey).queryParam("state", state).queryParam("page_size", 200)
                .get("/v1/tokens").then().statusCode(200).extract().jsonPath().getList("tokens.id");
    }

    @Test
    void expiredTokensAreMarkedOnceLeaveTheActiveListingAndEmitOneEvent() throws Exception {
        TestOrgs.Org org = orgs.create();
        try (EventTap tap = new EventTap()) {
            Map<String, Object> shortLived = issue(org.adminKey(), "one hour", 3600);
            String due = (String) shortLived.get("id");
            String later = (String) issue(org.adminKey(), "two hours", 7200).get("id");
            assertThat(listedIds(org.adminKey(), "active")).contains(due, later);

            clock.advance(Duration.ofMinutes(90));
            JsonPath first = runJob("expiry");
            assertThat(first.getBoolean("ran")).isTrue();
            assertThat(first.getLong("counts.expired")).isGreaterThanOrEqualTo(1);
            assertThat(orgs.instant("select expired_at from tokens where id = ?", due)).isNotNull();
            assertThat(orgs.instant("select expired_at from tokens where id = ?", later)).isNull();

            // A rerun finds nothing new for this token: one event, one mark.
            java.time.Instant markedAt = orgs.instant("select expired_at from tokens where id = ?", due);
            runJob("expiry");
            assertThat(orgs.instant("select expired_at from tokens where id = ?", due)).isEqualTo(markedAt);

            assertThat(listedIds(org.adminKey(), "active")).doesNotContain(due).contains(later);
            assertThat(listedIds(org.adminKey(), "all")).contains(due, later);

            await().atMost(Duration.ofSeconds(30)).until(() -> tap.about(due).stream()
                    .anyMatch(r -> r.event().type() == EventType.TOKEN_EXPIRED));
            await().atMost(Duration.ofSeconds(10)).until(() -> orgs.count(
                    "select count(*) from event_outbox where sent_at is null and org_id = ?", org.id()) == 0);
            List<EventTap.Received> expired = tap.about(due).stream()
                    .filter(r -> r.event().type() == EventType.TOKEN_EXPIRED).toList();
            assertThat(expired).hasSize(1);
            EventTap.Received event = expired.get(0);
            assertThat(event.key()).isEqualTo(org.id());
            assertThat(event.event().data().keyPrefix()).isEqualTo(shortLived.get("key_prefix"));
            assertThat(event.event().data().actor()).isEqualTo("system");
            assertThat(event.json()).doesNotContain((String) shortLived.get("token"));
            assertThat(orgs.count("select count(*) from event_outbox where event_type = 'token:expired' and payload like ?",
                    "%" + due + "%")).isEqualTo(1);
            assertThat(tap.about(later)).noneMatch(r -> r.event().type() == EventType.TOKEN_EXPIRED);
        }
    }

    @Test
    void liveTokenCountersFollowCreateRevokeAndExpiry() {
        TestOrgs.Org org = orgs.create();
        issue(org.adminKey(), "one hour", 3600);
        issue(org.adminKey(), "one day", 86400);
        String revoked = (String) issue(org.adminKey(), "revoked", 86400).get("id");
        given().header("x-api-key", org.adminKey()).delete("/v1/tokens/" + revoked).then().statusCode(200);
        given().header("x-api-key", org.adminKey()).delete("/v1/tokens/" + revoked).then().statusCode(200); // counted once
        assertThat(liveCounters(org.id())).containsExactly(3L, 3L);

        clock.advance(Duration.ofMinutes(90));
        assertThat(runJob("expiry").getLong("counts.expired")).isGreaterThanOrEqualTo(1);
        assertThat(liveCounters(org.id())).containsExactly(2L, 2L);
        assertThat(orgs.count("select count(*) from tokens where org_id = ? and revoked_at is null and expired_at is null",
                org.id())).isEqualTo(2);
    }

    /** The org's live counter and the sum of its creators' counters. */
    private List<Long> liveCounters(String org) {
        return List.of(orgs.count("select live_tokens from orgs where id = ?", org),
                orgs.count("select sum(live) from creator_live_tokens where org_id = ?", org));
    }

    @Test
    void recordsArePurgedOnlyAfterTheRetention() {
        TestOrgs.Org org = orgs.create();
        String oldRevoked = (String) issue(org.adminKey(), "revoked long ago", 86400).get("id");
        String newRevoked = (String) issue(org.adminKey(), "revoked lately", 86400).get("id");
        String oldExpired = (String) issue(org.adminKey(), "expired long ago", 86400).get("id");
        String live = (String) issue(org.adminKey(), "live", 86400).get("id");
        given().header("x-api-key", org.adminKey()).delete("/v1/tokens/" + oldRevoked).then().statusCode(200);
        given().header("x-api-key", org.adminKey()).delete("/v1/tokens/" + newRevoked).then().statusCode(200);
        // Age the records as if they had been retired 91 and 89 days ago (retention 90 days).
        orgs.sql("update tokens set revoked_at = now() - interval '91 days' where id = ?", oldRevoked);
        orgs.sql("update tokens set revoked_at = now() - interval '89 days' where id = ?", newRevoked);
        orgs.sql("update tokens set expires_at = now() - interval '92 days', expired_at = now() - interval '91 days'"
                + " where id = ?", oldExpired);

        JsonPath run = runJob("expiry");
        assertThat(run.getLong("counts.purged")).isGreaterThanOrEqualTo(2);
        assertThat(orgs.count("select count(*) from tokens where id = ?", oldRevoked)).isZero();
        assertThat(orgs.count("select count(*) from tokens where id = ?", oldExpired)).isZero();
        assertThat(orgs.count("select count(*) from tokens where id = ?", newRevoked)).isEqualTo(1);
        assertThat(orgs.count("select count(*) from tokens where id = ?", live)).isEqualTo(1);
        assertThat(listedIds(org.adminKey(), "all")).contains(newRevoked, live).doesNotContain(oldRevoked, oldExpired);
    }

    @Test
    void aRevokedTokenPastItsExpiryIsNotReportedExpired() {
        TestOrgs.Org org = orgs.create();
        String revoked = (String) issue(org.adminKey(), "revoked first", 3600).get("id");
        given().header("x-api-key", org.adminKey()).delete("/v1/tokens/" + revoked).then().statusCode(200);
        clock.advance(Duration.ofHours(2));
        runJob("expiry");
        assertThat(orgs.instant("select expired_at from tokens where id = ?", revoked)).isNull();
        assertThat(orgs.count("select count(*) from event_outbox where event_type = 'token:expired' and payload like ?",
                "%" + revoked + "%")).isZero();
    }

    @Test
    void theTriggerNeedsTheInternalSecretAndAKnownJob() {
        given().post("/internal/jobs/expiry/run").then().statusCode(401)
                .body("error", org.hamcrest.Matchers.equalTo("unauthorized"));
        given().header("X-Keyward-Internal", "wrong").post("/internal/jobs/expiry/run").then().statusCode(401);
        given().header("X-Keyward-Internal", TestOrgs.INTERNAL_SECRET).post("/internal/jobs/nope/run")
                .then().statusCode(404).body("error", org.hamcrest.Matchers.equalTo("not_found"));
    }
}
