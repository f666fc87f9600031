package dev.keyward.token;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.keyward.contract.ApiKeyFormat;
import dev.keyward.contract.TokenKind;
import dev.keyward.testsupport.KafkaTestResource;
import dev.keyward.testsupport.MonitoredMetrics;
import dev.keyward.testsupport.PostgresTestResource;
import dev.keyward.token.jobs.MutableClock;
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

/**
 * /q/metrics: every metric the monitoring component reads from token-service is served, and the
 * token, job and verification counts move with what happens. (The outbox gauges are proven with
 * Kafka away, in EventOutboxTests.)
 */
@QuarkusTest
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "keyward_token"))
@QuarkusTestResource(KafkaTestResource.class)
class MetricsTests {

    static final Map<String, List<String>> SCOPES = Map.of("repos:app", List.of("git:read"));

    @Inject
    TestOrgs orgs;

    @Inject
    MutableClock clock;

    @AfterEach
    void resetClock() {
        clock.reset();
    }

    static String scrape() {
        return given().get("/q/metrics").then().statusCode(200).extract().asString();
    }

    static JsonPath runJob(String name) {
        return given().header("X-Keyward-Internal", TestOrgs.INTERNAL_SECRET).post("/internal/jobs/" + name + "/run")
                .then().statusCode(200).extract().jsonPath();
    }

    @Test
    void servesEveryMetricTheAlertsAndTheDashboardName() {
        TestOrgs.Org org = orgs.create();
        TestOrgs.issue(org.adminKey(), "metrics", "repo", SCOPES);
        runJob("expiry");

        assertThat(MonitoredMetrics.namesIn(scrape())).containsAll(MonitoredMetrics.expectedFrom("token-service"));
    }

    @Test
    void tokenChangesAreCountedByKindAndEnvironment() {
        TestOrgs.Org org = orgs.create();
        String before = scrape();

        String repoToken = (String) TestOrgs.issue(org.adminKey(), "prod repo", "repo", SCOPES).get("id");
        String devOrgToken = (String) TestOrgs.create(org.adminKey(), Map.of("name", "dev org", "kind", "org",
                "scopes", Map.of("org", List.of("org:read")), "environment", "dev")).then().statusCode(201)
                .extract().path("id");
        TestOrgs.create(org.adminKey(), Map.of("name", "short", "kind", "repo", "scopes", SCOPES, "expires_in", 3600))
                .then().statusCode(201);
        given().header("x-api-key", org.adminKey()).post("/v1/tokens/" + repoToken + "/rotate").then().statusCode(200);
        given().header("x-api-key", org.adminKey()).delete("/v1/tokens/" + devOrgToken).then().statusCode(200);
        clock.advance(Duration.ofMinutes(90));
        assertThat(runJob("expiry").getLong("counts.expired")).isGreaterThanOrEqualTo(1);

        // The test orgs' admin keys are dev keys; what they create is prod unless told otherwise.
        String after = scrape();
        assertThat(delta(before, after, "keyward_tokens_created_total", "kind", "repo", "environment", "prod")).isEqualTo(2);
        assertThat(delta(before, after, "keyward_tokens_created_total", "kind", "org", "environment", "dev")).isEqualTo(1);
        assertThat(delta(before, after, "keyward_tokens_created_total", "kind", "repo", "environment", "dev")).isZero();
        assertThat(delta(before, after, "keyward_tokens_rotated_total", "kind", "repo", "environment", "prod")).isEqualTo(1);
        assertThat(delta(before, after, "keyward_tokens_revoked_total", "kind", "org", "environment", "dev")).isEqualTo(1);
        assertThat(delta(before, after, "keyward_tokens_revoked_total", "kind", "repo")).isZero();
        assertThat(delta(before, after, "keyward_tokens_expired_total", "kind", "repo", "environment", "prod"))
                .isGreaterThanOrEqualTo(1);
    }

    @Test
    void jobRunsAreCountedAndTimedWithWhatTheyDid() {
        TestOrgs.Org org = orgs.create();
        TestOrgs.create(org.adminKey(), Map.of("name", "short", "kind", "repo", "scopes", SCOPES, "expires_in", 3600))
                .then().statusCode(201);
        String before = scrape();

        clock.advance(Duration.ofMinutes(90));
        long expired = runJob("expiry").getLong("counts.expired");
        runJob("notifications");

        String after = scrape();
        assertThat(delta(before, after, "keyward_job_runs_total", "job_name", "expiry", "outcome", "success")).isEqualTo(1);
        assertThat(delta(before, after, "keyward_job_runs_total", "job_name", "notifications", "outcome", "success")).isEqualTo(1);
        assertThat(delta(before, after, "keyward_job_runs_total", "outcome", "failure")).isZero();
        assertThat(delta(before, after, "keyward_job_duration_seconds_count", "job_name", "expiry")).isEqualTo(1);
        assertThat(delta(before, after, "keyward_job_rows_total", "job_name", "expiry", "result", "expired"))
                .isEqualTo(expired).isGreaterThanOrEqualTo(1);
    }

    @Test
    void verificationsAreCountedByOutcomeAndReasonAndTimed() {
        TestOrgs.Org org = orgs.create();
        String before = scrape();

        given().header("x-api-key", org.adminKey()).get("/v1/tokens").then().statusCode(200);
        String unknown = ApiKeyFormat.generate(ApiKeyFormat.Environment.PROD, TokenKind.ORG);
        given().header("x-api-key", unknown).get("/v1/tokens").then().statusCode(401);

        String after = scrape();
        assertThat(delta(before, after, "keyward_verifications_total", "outcome", "success")).isGreaterThanOrEqualTo(1);
        assertThat(delta(before, after, "keyward_verifications_total", "outcome", "failure", "reason", "unknown")).isEqualTo(1);
        assertThat(delta(before, after, "keyward_verification_duration_seconds_count", "outcome", "refused")).isEqualTo(1);
        assertThat(delta(before, after, "keyward_verification_duration_seconds_count", "outcome", "verified"))
                .isGreaterThanOrEqualTo(1);
    }

    private static double delta(String before, String after, String name, String... labels) {
        return MonitoredMetrics.value(after, name, labels) - MonitoredMetrics.value(before, name, labels);
    }
}
