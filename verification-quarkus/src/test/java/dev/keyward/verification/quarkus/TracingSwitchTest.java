package dev.keyward.verification.quarkus;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.ServiceLoader;
import org.eclipse.microprofile.config.spi.ConfigSource;
import org.junit.jupiter.api.Test;

class TracingSwitchTest {

    @Test
    void aCollectorTurnsTheSdkAndKafkaTracingOnAndNothingElseDoes() {
        assertThat(new TracingSwitch("http://collector:4317").getProperties()).containsOnly(
                Map.entry("quarkus.otel.sdk.disabled", "false"),
                Map.entry("mp.messaging.connector.smallrye-kafka.tracing-enabled", "true"));
        assertThat(new TracingSwitch(null).getPropertyNames()).as("the default (off) stands").isEmpty();
        assertThat(new TracingSwitch("  ").getPropertyNames()).isEmpty();
    }

    @Test
    void everyServiceFindsIt() {
        assertThat(ServiceLoader.load(ConfigSource.class).stream().map(ServiceLoader.Provider::type))
                .contains(TracingSwitch.class);
    }
}
