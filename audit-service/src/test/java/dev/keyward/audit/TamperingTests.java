package dev.keyward.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import dev.keyward.events.EventType;
import dev.keyward.events.KeywardEvent;
import dev.keyward.testsupport.KafkaTestResource;
import dev.keyward.testsupport.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Someone with database access changes or removes stored rows; verify must name the first broken link. */
@QuarkusTest
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "keyward_audit"))
@QuarkusTestResource(KafkaTestResource.class)
class TamperingTests extends AuditTestBase {

    private static List<KeywardEvent> publish(String org, int count) {
        List<KeywardEvent> events = new ArrayList<>();
        try (EventPublisher publisher = new EventPublisher()) {
            for (int i = 0; i < count; i++) {
                KeywardEvent e = EventPublisher.event(org, EventType.TOKEN_USED, Instant.now().minusSeconds(count - i),
                        "tok_t", "user-t", "team/alpha");
                publisher.publish(e);
                events.add(e);
            }
        }
        return events;
    }

    /** Runs SQL as a database superuser would, bypassing the append-only trigger. */
    private static int tamper(String sql, Object... params) throws SQLException {
        try (Connection c = database()) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.execute("set local session_replication_role = replica");
            }
            int changed;
            try (PreparedStatement p = c.prepareStatement(sql)) {
                for (int i = 0; i < params.length; i++) {
                    p.setObject(i + 1, params[i]);
                }
                changed = p.executeUpdate();
            }
            c.commit();
            return changed;
        }
    }

    @Test
    void detectsAnAlteredRow() throws Exception {
        String org = EventPublisher.newOrg("tamper");
        String auditor = TestKeys.auditor(org);
        publish(org, 6);
        awaitStored(auditor, 6);
        String eventId = as(auditor).queryParam("page_size", 500).get("/v1/audit/events").then().statusCode(200)
                .extract().path("events.find { it.audit.seq == 4 }.id");

        int changed = tamper("update audit_event set content = replace(content, 'user-t', 'user-innocent') "
                + "where org = ? and seq = 4", org);
        assertThat(changed).isEqualTo(1);

        as(auditor).get("/v1/audit/verify").then().statusCode(200)
                .body("ok", equalTo(false))
                .body("checked", equalTo(3))
                .body("first_broken.seq", equalTo(4))
                .body("first_broken.event_id", equalTo(eventId))
                .body("first_broken.reason", equalTo("hash_mismatch"));
    }

    @Test
    void detectsAnAlteredFilterColumn() throws Exception {
        String org = EventPublisher.newOrg("tamper-col");
        String auditor = TestKeys.auditor(org);
        publish(org, 3);
        awaitStored(auditor, 3);

        tamper("update audit_event set actor = 'someone-else' where org = ? and seq = 2", org);

        as(auditor).get("/v1/audit/verify").then().statusCode(200)
                .body("ok", equalTo(false))
                .body("first_broken.seq", equalTo(2))
                .body("first_broken.reason", equalTo("columns_mismatch"));
    }

    @Test
    void detectsARemovedRow() throws Exception {
        String org = EventPublisher.newOrg("tamper-del");
        String auditor = TestKeys.auditor(org);
        publish(org, 5);
        awaitStored(auditor, 5);

        assertThat(tamper("delete from audit_event where org = ? and seq = 3", org)).isEqualTo(1);

        as(auditor).get("/v1/audit/verify").then().statusCode(200)
                .body("ok", equalTo(false))
                .body("checked", equalTo(2))
                .body("first_broken.seq", equalTo(3))
                .body("first_broken.event_id", nullValue())
                .body("first_broken.reason", equalTo("row_missing"));
    }

    @Test
    void detectsTheNewestRowRemoved() throws Exception {
        String org = EventPublisher.newOrg("tamper-tail");
        String auditor = TestKeys.auditor(org);
        publish(org, 4);
        awaitStored(auditor, 4);

        tamper("delete from audit_event where org = ? and seq = 4", org);

        as(auditor).get("/v1/audit/verify").then().statusCode(200)
                .body("ok", equalTo(false))
                .body("checked", equalTo(3))
                .body("first_broken.seq", equalTo(4))
                .body("first_broken.reason", equalTo("row_missing"));
    }

    @Test
    void theTableRefusesUpdatesAndDeletesOutsideRetention() throws Exception {
        String org = EventPublisher.newOrg("append-only");
        String auditor = TestKeys.auditor(org);
        publish(org, 1);
        awaitStored(auditor, 1);
        try (Connection c = database(); Statement s = c.createStatement()) {
            assertThatThrownBy(() -> s.executeUpdate("update audit_event set actor = 'x' where org = '" + org + "'"))
                    .hasMessageContaining("append-only");
            assertThatThrownBy(() -> s.executeUpdate("delete from audit_event where org = '" + org + "'"))
                    .hasMessageContaining("append-only");
        }
        as(auditor).get("/v1/audit/verify").then().statusCode(200).body("ok", equalTo(true));
    }
}
