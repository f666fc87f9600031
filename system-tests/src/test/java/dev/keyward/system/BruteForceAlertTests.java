package dev.keyward.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.keyward.contract.ApiKeyFormat;
import dev.keyward.contract.TokenKind;
import dev.keyward.localstack.LocalStack;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The whole brute-force chain across the services: guessed keys against git on repo-service are
 * refused, each refusal becomes an {@code auth:failed} event through Kafka, and the audit service's
 * {@code /v1/auth/health} of the org turns to {@code alert}, naming the address they came from.
 */
class BruteForceAlertTests {

    /** Above audit-service's short-window alert threshold for one client address (50). */
    static final int GUESSES = 60;

    final SystemStack system = SystemStack.shared();

    @Test
    void guessedKeysAgainstGitRaiseTheOrgsAuthHealthAlertForTheirAddress() {
        system.createRepo(system.adminToken(), "guarded/app");
        String refs = system.stack().repoServiceUrl() + "/" + LocalStack.BOOTSTRAP_ORG + "/guarded/app.git/info/refs?service=git-upload-pack";
        for (int i = 0; i < GUESSES; i++) {
            // Well-formed keys with a valid checksum: each one is looked up, and is unknown.
            String guess = ApiKeyFormat.generate(ApiKeyFormat.Environment.PROD, TokenKind.REPO);
            system.remember(guess);
            SystemStack.HttpAnswer refused = SystemStack.get(refs, guess);
            assertThat(refused.status()).as(refused.body()).isEqualTo(401);
            assertThat(refused.body()).doesNotContain(guess);
        }

        String health = system.stack().auditServiceUrl() + "/v1/auth/health";
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            SystemStack.HttpAnswer answer = SystemStack.get(health, system.adminToken());
            assertThat(answer.status()).as(answer.body()).isEqualTo(200);
            JsonPath json = answer.json();
            assertThat(json.getString("org")).isEqualTo(LocalStack.BOOTSTRAP_ORG);
            assertThat(json.getString("status")).isEqualTo("alert");
            List<Map<String, Object>> fromLoopback = json.getList("offenders.findAll { it.kind == 'client_ip' && it.value == '127.0.0.1' }");
            assertThat(fromLoopback).singleElement().satisfies(offender -> {
                assertThat(offender.get("level")).isEqualTo("alert");
                assertThat(((Number) offender.get("failures_short")).intValue()).isGreaterThanOrEqualTo(GUESSES);
            });
        });
    }
}
