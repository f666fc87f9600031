package dev.keyward.audit;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.oneOf;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keyward.contract.ApiError;
import dev.keyward.events.EventType;
import dev.keyward.testsupport.KafkaTestResource;
import dev.keyward.testsupport.PostgresTestResource;
import dev.keyward.verification.quarkus.ApiErrorMapper;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Attacks on the audit trail's read side: another org's page tokens and ids, injection-looking and
 * junk filters, hostile headers and bodies. Never another org's event; every refusal a JSON 4xx.
 */
@QuarkusTest
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "keyward_audit"))
@QuarkusTestResource(KafkaTestResource.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuditAttackTests extends AuditTestBase {

    private static final Instant BASE = Instant.parse("2026-04-01T10:00:00Z");

    @Inject
    ObjectMapper json;

    private final String victim = EventPublisher.newOrg("victim");
    private final String attacker = EventPublisher.newOrg("attacker");
    private String victimAuditor;
    private String attackerAuditor;

    @BeforeEach
    void publishOnce() {
        if (victimAuditor != null) {
            return;
        }
        victimAuditor = TestKeys.auditor(victim);
        attackerAuditor = TestKeys.auditor(attacker);
        try (EventPublisher publisher = new EventPublisher()) {
            for (int i = 0; i < 6; i++) {
                publisher.publish(EventPublisher.event(victim, EventType.TOKEN_USED, BASE.plusSeconds(i), "tok_victim" + i,
                        "victim-user", "secret/repo"));
            }
            publisher.publish(EventPublisher.event(attacker, EventType.TOKEN_CREATED, BASE, "tok_attacker", "attacker-user", "a/b"));
        }
        awaitStored(victimAuditor, 6);
        awaitStored(attackerAuditor, 1);
    }

    private static void onlyOwn(Response r) {
        r.then().statusCode(200);
        assertThat(r.asString()).doesNotContain("victim");
    }

    @Test
    void anotherOrgsIdsAndPageTokensRevealNothing() {
        for (String param : List.of("token_id", "actor", "repo")) {
            String value = switch (param) {
                case "token_id" -> "tok_victim1";
                case "actor" -> "victim-user";
                default -> "secret/repo";
            };
            onlyOwn(as(attackerAuditor).queryParam(param, value).get("/v1/audit/events"));
            onlyOwn(as(attackerAuditor).queryParam(param, value).get("/v1/audit/export"));
        }
        // The victim's page token, replayed by the attacker, does not page through the victim's trail.
        String victimPage = as(victimAuditor).queryParam("page_size", 2).get("/v1/audit/events").then().statusCode(200)
                .extract().path("next_page_token");
        assertThat(victimPage).isNotNull();
        Response replay = as(attackerAuditor).queryParams("page_size", 2, "page_token", victimPage).get("/v1/audit/events");
        assertThat(replay.statusCode()).isIn(200, 400);
        assertThat(replay.asString()).doesNotContain("victim");
        // verify and health answer for the caller's org only.
        as(attackerAuditor).get("/v1/audit/verify").then().statusCode(200).body("org", equalTo(attacker)).body("checked", equalTo(1));
        onlyOwn(as(attackerAuditor).get("/v1/auth/health"));
        // No parameter names another org.
        onlyOwn(as(attackerAuditor).queryParam("org", victim).get("/v1/audit/events"));
    }

    @Test
    void injectionLookingAndJunkFiltersAreJustValues() {
        for (String junk : List.of("' or '1'='1", "%", "_", "tok_%", "x\u0000y", "\u202e\u0644\u0627", "a".repeat(5000), "../../etc/passwd")) {
            for (String param : List.of("token_id", "actor", "repo")) {
                Response r = as(attackerAuditor).queryParam(param, junk).get("/v1/audit/events");
                assertThat(r.statusCode()).as(param + "=" + junk).isIn(200, 400, 414, 431);
                if (r.statusCode() == 200) {
                    assertThat(r.jsonPath().getList("events")).as(param + "=" + junk).isEmpty();
                } else if (r.statusCode() == 400) {
                    assertThat(r.jsonPath().getString("error")).isNotNull();
                }
            }
        }
        // The trails are intact afterwards.
        as(victimAuditor).get("/v1/audit/verify").then().statusCode(200).body("ok", equalTo(true)).body("checked", equalTo(6));
    }

    @Test
    void hostileHeadersAndBodiesGetJsonErrors() {
        for (String header : List.of("Bearer", "Basic !!!", "Negotiate abc", "Bearer a.b.c", "Bearer kw_prod_o_\u00e9\u00e9")) {
            given().header("Authorization", header).get("/v1/audit/events").then().statusCode(401)
                    .contentType(ContentType.JSON).body("error", notNullValue()).body("message", notNullValue());
        }
        // A body where none is expected, bigger than the service accepts: 413 in the JSON shape.
        as(attackerAuditor).contentType(ContentType.JSON).body("{\"x\":\"" + "y".repeat(128 * 1024) + "\"}")
                .post("/v1/audit/events").then().statusCode(413).body("error", equalTo("payload_too_large"));
        as(attackerAuditor).contentType(ContentType.JSON).body("{}").post("/v1/audit/events").then()
                .statusCode(oneOf(404, 405)).body("error", notNullValue());
    }

    record Probe(String actor, Long pageSize) {
    }

    /** The service's JSON reader is the strict one of every service, and its refusals read the same. */
    @Test
    void bodiesWouldBeReadStrictlyHereToo() {
        ApiErrorMapper errors = new ApiErrorMapper(Optional.empty());
        for (String[] c : new String[][] {
                {"{\"actor\": \"a\", \"pag_size\": 5}", "422", "unknown_field", "'pag_size'"},
                {"{\"actor\": \"a\", \"actor\": \"b\"}", "400", "malformed_json", "'actor'"},
                {"{\"actor\": true}", "400", "malformed_json", "'actor' must be a string"},
                {"{\"page_size\": \"5\"}", "400", "malformed_json", "'page_size' must be a whole number"},
                {"{\"actor\": \"a\"} {}", "400", "malformed_json", "one JSON document"}}) {
            JsonProcessingException refused = catchThrowableOfType(JsonProcessingException.class, () -> json.readValue(c[0], Probe.class));
            assertThat(refused).as(c[0]).isNotNull();
            jakarta.ws.rs.core.Response answer = errors.malformedJson(refused);
            assertThat(answer.getStatus()).as(c[0]).isEqualTo(Integer.parseInt(c[1]));
            ApiError body = (ApiError) answer.getEntity();
            assertThat(body.error()).as(c[0]).isEqualTo(c[2]);
            assertThat(body.message()).as(c[0]).contains(c[3]);
        }
    }
}
