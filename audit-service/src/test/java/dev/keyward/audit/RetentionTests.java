package dev.keyward.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.keyward.audit.service.RetentionPurge;
import dev.keyward.events.EventType;
import dev.keyward.testsupport.KafkaTestResource;
import dev.keyward.testsupport.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Retention removes the oldest events and re-anchors the chain so what remains still verifies. */
@QuarkusTest
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "keyward_audit"))
@QuarkusTestResource(KafkaTestResource.class)
class RetentionTests extends AuditTestBase {

    @Inject
    RetentionPurge retention;

    @Test
    void purgeKeepsTheRestVerifiable() throws Exception {
        String org = EventPublisher.newOrg("retained");
        String auditor = TestKeys.auditor(org);
        try (EventPublisher publisher = new EventPublisher()) {
            for (int i = 0; i < 10; i++) {
                publisher.publish(EventPublisher.event(org, EventType.TOKEN_USED, Instant.now(), "tok_r", "u", "r"));
            }
        }
        awaitStored(auditor, 10);

        // Nothing is stored before a cutoff in the past.
        assertThat(retention.purge(Instant.now().minus(Duration.ofDays(1))).await().atMost(Duration.ofSeconds(30)))
                .isZero();

        long purged = retention.purgeOrg(org, 4, Instant.now()).await().atMost(Duration.ofSeconds(30));
        assertThat(purged).isEqualTo(4);

        as(auditor).get("/v1/audit/verify").then().statusCode(200)
                .body("ok", equalTo(true))
                .body("anchor_seq", equalTo(4))
                .body("checked", equalTo(6))
                .body("head_seq", equalTo(10));
        as(auditor).queryParam("page_size", 500).get("/v1/audit/events").then().statusCode(200)
                .body("events.size()", equalTo(6));

        try (Connection c = database();
             PreparedStatement p = c.prepareStatement("select anchor_seq from chain_anchor where org = ?")) {
            p.setString(1, org);
            try (ResultSet rs = p.executeQuery()) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getLong(1)).isEqualTo(4);
            }
        }

        // New events keep extending the same chain after a purge.
        try (EventPublisher publisher = new EventPublisher()) {
            publisher.publish(EventPublisher.event(org, EventType.TOKEN_REVOKED, Instant.now(), "tok_r", "u", null));
        }
        awaitStored(auditor, 7);
    }
}
