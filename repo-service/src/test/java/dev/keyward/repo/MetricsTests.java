package dev.keyward.repo;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.keyward.testsupport.KafkaTestResource;
import dev.keyward.testsupport.MonitoredMetrics;
import dev.keyward.testsupport.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/** /q/metrics: what the monitoring component reads from repo-service, and the verifier's counts moving. */
@QuarkusTest
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "keyward_repo"))
@QuarkusTestResource(KafkaTestResource.class)
class MetricsTests {

    private static String scrape() {
        return given().get("/q/metrics").then().statusCode(200).extract().asString();
    }

    @Test
    void servesEveryMetricTheAlertsAndTheDashboardNameAndCountsRefusals() {
        String before = scrape();
        given().header("Authorization", "Bearer not-a-token").get("/v1/repos").then().statusCode(401);

        String after = scrape();
        assertThat(MonitoredMetrics.namesIn(after)).containsAll(MonitoredMetrics.expectedFrom("repo-service"));
        assertThat(MonitoredMetrics.value(after, "keyward_verifications_total", "outcome", "failure", "reason", "malformed")
                - MonitoredMetrics.value(before, "keyward_verifications_total", "outcome", "failure", "reason", "malformed"))
                .isEqualTo(1);
        assertThat(MonitoredMetrics.value(after, "keyward_verification_duration_seconds_count", "outcome", "refused")
                - MonitoredMetrics.value(before, "keyward_verification_duration_seconds_count", "outcome", "refused"))
                .isEqualTo(1);
    }
}
