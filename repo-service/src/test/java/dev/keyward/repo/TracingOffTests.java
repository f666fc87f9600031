package dev.keyward.repo;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.keyward.contract.ApiKeyFormat;
import dev.keyward.contract.TokenKind;
import dev.keyward.events.EventType;
import dev.keyward.testsupport.EventTap;
import dev.keyward.testsupport.KafkaTestResource;
import dev.keyward.testsupport.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * Without a collector (no {@code KEYWARD_OTLP_ENDPOINT}) tracing is off: no span is made for a
 * request, and the verification event it causes reaches the broker without trace headers (the
 * Kafka connector would otherwise trace every record through the disabled SDK).
 */
@QuarkusTest
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "keyward_repo"))
@QuarkusTestResource(KafkaTestResource.class)
class TracingOffTests {

    @ConfigProperty(name = "quarkus.otel.sdk.disabled")
    boolean sdkDisabled;

    @Test
    void withoutACollectorARequestAndItsEventCarryNoTrace() {
        assertThat(System.getenv("KEYWARD_OTLP_ENDPOINT")).as("this test's premise").isNull();
        assertThat(sdkDisabled).isTrue();
        String key = ApiKeyFormat.generate(ApiKeyFormat.Environment.PROD, TokenKind.REPO);
        String mistyped = key.substring(0, key.length() - 1) + (key.endsWith("a") ? "b" : "a");

        try (EventTap tap = new EventTap()) {
            // Refused on the spot (bad checksum): auth:failed goes to keyward.usage through the connector.
            given().header("Authorization", "Bearer " + mistyped)
                    .header("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
                    .get("/v1/repos/tracing/off").then().statusCode(401);

            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(tap.all())
                    .filteredOn(r -> r.event().type() == EventType.AUTH_FAILED
                            && ApiKeyFormat.prefixOf(mistyped).equals(r.event().data().keyPrefix()))
                    .singleElement().satisfies(r -> assertThat(r.headers()).contains("content-type")
                            .doesNotContain("traceparent", "tracestate")));
        }
    }
}
