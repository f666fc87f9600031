package dev.keyward.localstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The launcher's KEYWARD_* settings reach the services; the stack's wiring stays its own. */
class ServiceSettingsTest {

    private static final Map<String, String> WIRING = Map.of(
            "KEYWARD_INTERNAL_SECRET", "stack-secret",
            "KEYWARD_TOKEN_SERVICE_URL", "http://127.0.0.1:8081");

    @Test
    void launcherSettingsPassThroughAndOverrideTheStacksDefaults() {
        Map<String, String> settings = LocalStack.serviceSettings(
                Map.of("KEYWARD_JSON_LOGS", "true", "KEYWARD_RATE_LIMIT_PER_MINUTE", "5", "HOME", "/root"), WIRING);

        assertThat(settings)
                .containsEntry("KEYWARD_JSON_LOGS", "true")
                .containsEntry("KEYWARD_RATE_LIMIT_PER_MINUTE", "5")
                .doesNotContainKey("HOME");
    }

    @Test
    void withoutLauncherSettingsTheStacksDefaultsApply() {
        assertThat(LocalStack.serviceSettings(Map.of(), WIRING)).containsEntry("KEYWARD_JSON_LOGS", "false")
                .containsAllEntriesOf(WIRING);
    }

    @Test
    void theStacksWiringWinsOverTheLauncherEnvironment() {
        Map<String, String> settings = LocalStack.serviceSettings(
                Map.of("KEYWARD_INTERNAL_SECRET", "mine", "KEYWARD_TOKEN_SERVICE_URL", "http://elsewhere"), WIRING);

        assertThat(settings).containsAllEntriesOf(WIRING);
    }
}
