package dev.keyward.token;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.keyward.testsupport.KafkaTestResource;
import dev.keyward.testsupport.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * SPEC: a token that expires within the org's {@code notice_days} gets a {@code Sunset} header
 * (RFC 8594) on every service's responses; here, the control plane's.
 */
@QuarkusTest
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "keyward_token"))
@QuarkusTestResource(KafkaTestResource.class)
class SunsetHeaderTests {

    static final Map<String, List<String>> MANAGER = Map.of("org", List.of("token:write"));

    @Inject
    TestOrgs orgs;

    private static Map<String, Object> key(TestOrgs.Org org, long expiresIn) {
        return TestOrgs.create(org.adminKey(), Map.of("name", "expires in " + expiresIn, "kind", "org", "scopes", MANAGER,
                "expires_in", expiresIn)).then().statusCode(201).extract().jsonPath().getMap("");
    }

    @Test
    void aKeyExpiringWithinTheNoticeDaysGetsSunsetOnEveryAuthorizedResponse() {
        TestOrgs.Org org = orgs.create();
        Map<String, Object> soon = key(org, 3 * 86_400L);
        String soonKey = (String) soon.get("token");
        Instant expiresAt = Instant.parse((String) soon.get("expires_at"));

        String sunset = given().header("x-api-key", soonKey).get("/v1/tokens").then().statusCode(200).extract().header("Sunset");
        assertThat(sunset).isNotNull().matches("[A-Z][a-z]{2}, \\d{2} [A-Z][a-z]{2} \\d{4} \\d{2}:\\d{2}:\\d{2} GMT");
        assertThat(ZonedDateTime.parse(sunset, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant())
                .isEqualTo(expiresAt.truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
        // Any authorized call, errors of the call itself included (the credential was good).
        assertThat(given().header("Authorization", "Bearer " + soonKey).get("/v1/tokens/tok_doesnotexist")
                .then().statusCode(404).extract().header("Sunset")).isEqualTo(sunset);

        // Not where the key was refused: a permission it lacks, or the key once revoked.
        assertThat(given().header("x-api-key", soonKey).get("/v1/tokens/export").then().statusCode(403).extract()
                .header("Sunset")).isNull();
        given().header("x-api-key", org.adminKey()).delete("/v1/tokens/" + soon.get("id")).then().statusCode(200);
        assertThat(given().header("x-api-key", soonKey).get("/v1/tokens").then().statusCode(401).extract()
                .header("Sunset")).isNull();
    }

    @Test
    void aKeyWithMoreTimeLeftGetsNoneUntilTheOrgsNoticeDaysReachIt() {
        TestOrgs.Org org = orgs.create();
        String later = (String) key(org, 30 * 86_400L).get("token");
        assertThat(given().header("x-api-key", later).get("/v1/tokens").then().statusCode(200).extract().header("Sunset"))
                .isNull();

        TestOrgs.policy(org, Map.of("notice_days", 31));
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(given().header("x-api-key", later)
                .get("/v1/tokens").then().statusCode(200).extract().header("Sunset")).isNotNull());
    }
}
