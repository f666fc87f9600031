package dev.keyward.audit;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keyward.events.EventType;
import dev.keyward.events.KeywardEvent;
import dev.keyward.testsupport.KafkaTestResource;
import dev.keyward.testsupport.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Events published to the real broker (duplicated, out of order, mixed with malformed records) are
 * stored once each and come back through the HTTP API: listing, pagination, filters, export, verify.
 */
@QuarkusTest
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "keyward_audit"))
@QuarkusTestResource(KafkaTestResource.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuditTrailTests extends AuditTestBase {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant BASE = Instant.parse("2026-03-01T10:00:00Z");
    private static final int EVENTS = 40;

    private final String org = EventPublisher.newOrg("acme");
    private final String otherOrg = EventPublisher.newOrg("globex");
    private final List<KeywardEvent> published = new ArrayList<>();
    private String auditor;
    private String otherAuditor;

    // Once per class, but after Quarkus configured RestAssured (which a @BeforeAll would precede).
    @BeforeEach
    void publishOnce() {
        if (auditor != null) {
            return;
        }
        auditor = TestKeys.auditor(org);
        otherAuditor = TestKeys.auditor(otherOrg);
        EventType[] types = EventType.values();
        for (int i = 0; i < EVENTS; i++) {
            // Times are shuffled against publication order: the log must sort by event time.
            published.add(EventPublisher.event(org, types[i % types.length], BASE.plusSeconds(((i * 17L) % EVENTS) * 60),
                    "tok_" + (i % 4), "user-" + (i % 3), i % 2 == 0 ? "team/alpha" : "team/beta"));
        }
        // The shuffled stream holds org:suspended and org:deleted, which every verifier applies to the
        // org at once (the audit trail's readers included): the org is resumed last, so its keys still read.
        published.set(EVENTS - 1, EventPublisher.event(org, EventType.ORG_RESUMED, BASE.plusSeconds(EVENTS * 60L),
                "tok_0", "user-0", "team/alpha"));
        List<KeywardEvent> order = new ArrayList<>(published.subList(0, EVENTS - 1));
        Collections.shuffle(order, new Random(7));
        order.add(published.get(EVENTS - 1));
        try (EventPublisher publisher = new EventPublisher()) {
            for (int i = 0; i < order.size(); i++) {
                publisher.publish(order.get(i));
                if (i % 3 == 0) {
                    publisher.publish(order.get(i)); // redelivered at once
                }
                if (i % 10 == 5) {
                    publisher.send(org, "{\"specversion\":\"1.0\",\"type\":\"token:created\",\"data\":"); // truncated
                    publisher.send(org, "{\"specversion\":\"1.0\",\"id\":\"x\",\"source\":\"s\",\"type\":\"no:such\","
                            + "\"time\":\"2026-01-01T00:00:00Z\",\"data\":{\"org\":\"" + org + "\"}}");
                    publisher.send(org, null);
                }
            }
            // Late duplicates of events stored long ago.
            publisher.publish(order.get(0));
            publisher.publish(order.get(order.size() / 2));
            publisher.publish(EventPublisher.event(otherOrg, EventType.TOKEN_CREATED, BASE, "tok_other", "user-x", "team/alpha"));
        }
        awaitStored(auditor, EVENTS);
        awaitStored(otherAuditor, 1);
    }

    @Test
    void listsEachEventOnceNewestFirstAcrossPages() throws Exception {
        List<JsonNode> all = new ArrayList<>();
        String token = null;
        int pages = 0;
        do {
            var request = as(auditor).queryParam("page_size", 7);
            if (token != null) {
                request.queryParam("page_token", token);
            }
            JsonNode page = JSON.readTree(request.get("/v1/audit/events").then().statusCode(200).extract().asString());
            page.get("events").forEach(all::add);
            token = page.get("next_page_token").isNull() ? null : page.get("next_page_token").asText();
            pages++;
        } while (token != null);

        assertThat(pages).isEqualTo((EVENTS + 6) / 7);
        assertThat(all).extracting(e -> e.get("id").asText()).doesNotHaveDuplicates()
                .containsExactlyElementsOf(published.stream()
                        .sorted(Comparator.comparing(KeywardEvent::time).reversed())
                        .map(KeywardEvent::id).toList());
        JsonNode first = all.get(0);
        assertThat(first.get("specversion").asText()).isEqualTo("1.0");
        assertThat(first.get("data").get("org").asText()).isEqualTo(org);
        assertThat(first.get("audit").get("hash").asText()).hasSize(64);
    }

    @Test
    void filtersByTypeTokenActorRepoAndTime() {
        long tokenCreated = published.stream().filter(e -> e.type() == EventType.TOKEN_CREATED).count();
        as(auditor).queryParam("type", "token:created").queryParam("page_size", 500).get("/v1/audit/events")
                .then().statusCode(200).body("events.size()", equalTo((int) tokenCreated));

        long combined = published.stream()
                .filter(e -> "tok_1".equals(e.subject()) && "user-2".equals(e.data().actor())
                        && "team/beta".equals(e.data().repo()))
                .count();
        as(auditor).queryParams(Map.of("token_id", "tok_1", "actor", "user-2", "repo", "team/beta", "page_size", 500))
                .get("/v1/audit/events").then().statusCode(200).body("events.size()", equalTo((int) combined));

        Instant since = BASE.plus(10, ChronoUnit.MINUTES);
        Instant until = BASE.plus(20, ChronoUnit.MINUTES);
        long inRange = published.stream().filter(e -> !e.time().isBefore(since) && e.time().isBefore(until)).count();
        as(auditor).queryParams(Map.of("since", since.toString(), "until", until.toString(), "page_size", 500))
                .get("/v1/audit/events").then().statusCode(200).body("events.size()", equalTo((int) inRange));
    }

    @Test
    void exportStreamsEveryEventOldestFirstAsNdjson() throws Exception {
        Response response = as(auditor).accept("application/x-ndjson").get("/v1/audit/export");
        response.then().statusCode(200);
        assertThat(response.contentType()).startsWith("application/x-ndjson");
        String[] lines = response.asString().split("\n");
        assertThat(lines).hasSize(EVENTS);
        List<String> ids = new ArrayList<>();
        for (String line : lines) {
            JsonNode event = JSON.readTree(line);
            assertThat(event.get("data").get("org").asText()).isEqualTo(org);
            ids.add(event.get("id").asText());
        }
        assertThat(ids).containsExactlyElementsOf(published.stream()
                .sorted(Comparator.comparing(KeywardEvent::time)).map(KeywardEvent::id).toList());

        Instant since = BASE.plus(30, ChronoUnit.MINUTES);
        long recent = published.stream().filter(e -> !e.time().isBefore(since)).count();
        String part = as(auditor).accept("application/x-ndjson, text/plain;q=0.9, */*;q=0.1")
                .queryParam("since", since.toString()).get("/v1/audit/export").then().statusCode(200)
                .extract().asString();
        assertThat(part.lines().count()).isEqualTo(recent);
    }

    @Test
    void verifyReportsAnIntactChain() {
        as(auditor).get("/v1/audit/verify").then().statusCode(200)
                .body("org", equalTo(org))
                .body("checked", equalTo(EVENTS))
                .body("ok", equalTo(true))
                .body("first_broken", equalTo(null))
                .body("head_seq", equalTo(EVENTS));
    }

    @Test
    void anOrgNeverSeesAnotherOrgsEvents() {
        as(otherAuditor).queryParam("page_size", 500).get("/v1/audit/events").then().statusCode(200)
                .body("events.size()", equalTo(1))
                .body("events[0].data.org", equalTo(otherOrg));
        String export = as(otherAuditor).get("/v1/audit/export").then().statusCode(200).extract().asString();
        assertThat(export.lines().toList()).hasSize(1).allSatisfy(line -> assertThat(line).doesNotContain(org));
        as(otherAuditor).get("/v1/audit/verify").then().statusCode(200)
                .body("org", equalTo(otherOrg)).body("checked", equalTo(1));
        // Filters cannot reach across orgs either.
        as(otherAuditor).queryParam("token_id", "tok_1").get("/v1/audit/events").then().statusCode(200)
                .body("events.size()", equalTo(0));
    }

    @Test
    void refusesCallersWithoutAuditRead() {
        given().get("/v1/audit/events").then().statusCode(401).body("error", equalTo("missing"));
        given().header("x-api-key", "kw_prod_o_not-a-key").get("/v1/audit/export").then().statusCode(401)
                .body("error", notNullValue());
        String orgReader = TestKeys.orgKey(org, "org:read");
        as(orgReader).get("/v1/audit/events").then().statusCode(403).body("error", equalTo("scope"));
        as(orgReader).get("/v1/audit/export").then().statusCode(403).body("error", equalTo("scope"));
        as(orgReader).get("/v1/audit/verify").then().statusCode(403);
        as(orgReader).get("/v1/auth/health").then().statusCode(403);
    }

    @Test
    void rejectsBadFiltersWithJsonErrors() {
        as(auditor).queryParam("type", "token:stolen").get("/v1/audit/events").then().statusCode(400)
                .body("error", equalTo("invalid_type")).body("message", notNullValue());
        as(auditor).queryParam("since", "yesterday").get("/v1/audit/events").then().statusCode(400)
                .body("error", equalTo("invalid_time"));
        as(auditor).queryParams("since", "2026-03-02T00:00:00Z", "until", "2026-03-01T00:00:00Z")
                .get("/v1/audit/export").then().statusCode(400).body("error", equalTo("invalid_time"));
        as(auditor).queryParam("page_size", 0).get("/v1/audit/events").then().statusCode(400)
                .body("error", equalTo("invalid_page_size"));
        as(auditor).queryParam("page_token", "garbage").get("/v1/audit/events").then().statusCode(400)
                .body("error", equalTo("invalid_page_token"));
        String token = as(auditor).queryParam("page_size", 5).get("/v1/audit/events").then().statusCode(200)
                .extract().path("next_page_token");
        as(auditor).queryParams("page_size", 5, "page_token", token, "type", "token:used").get("/v1/audit/events")
                .then().statusCode(400).body("error", equalTo("invalid_page_token"));
    }
}
