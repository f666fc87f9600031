package dev.keyward.audit;

import dev.keyward.events.EventType;
import dev.keyward.testsupport.KafkaTestResource;
import dev.keyward.testsupport.PostgresTestResource;
import dev.keyward.testsupport.SharedInfrastructure;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The consumer survives a broker outage and goes on storing what is published after it. */
@QuarkusTest
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "keyward_audit"))
@QuarkusTestResource(KafkaTestResource.class)
class BrokerOutageTests extends AuditTestBase {

    @Test
    void ingestionResumesAfterTheBrokerRestarts() {
        String org = EventPublisher.newOrg("outage");
        String auditor = TestKeys.auditor(org);
        try (EventPublisher publisher = new EventPublisher()) {
            publisher.publish(EventPublisher.event(org, EventType.TOKEN_CREATED, Instant.now(), "tok_o", "u", null));
        }
        awaitStored(auditor, 1);

        // Against an external broker (KEYWARD_TEST_KAFKA) there is nothing this test may stop.
        SharedInfrastructure.embeddedKafka().ifPresent(kafka -> {
            kafka.stop();
            kafka.start();
        });

        try (EventPublisher publisher = new EventPublisher()) {
            for (int i = 0; i < 5; i++) {
                publisher.publish(EventPublisher.event(org, EventType.TOKEN_USED, Instant.now(), "tok_o", "u", "r"));
            }
        }
        awaitStored(auditor, 6);
    }
}
