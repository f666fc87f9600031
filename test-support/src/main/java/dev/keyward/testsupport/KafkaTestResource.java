package dev.keyward.testsupport;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/** Points a Quarkus test at a real Kafka broker (embedded unless {@code KEYWARD_TEST_KAFKA} is set). */
public class KafkaTestResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        return Map.of(
                "kafka.devservices.enabled", "false",
                "quarkus.kafka.devservices.enabled", "false",
                "kafka.bootstrap.servers", SharedInfrastructure.kafkaBootstrapServers());
    }

    @Override
    public void stop() {
        // The broker is shared by every test of this JVM and stops with it.
    }
}
