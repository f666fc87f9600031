package dev.keyward.audit;

import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;

import dev.keyward.testsupport.KafkaTestResource;
import dev.keyward.testsupport.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Failed logins published as auth:failed events move the org's auth health from ok to degraded to alert. */
@QuarkusTest
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "keyward_audit"))
@QuarkusTestResource(KafkaTestResource.class)
class AuthHealthTests extends AuditTestBase {

    @Test
    void aBurstOfFailedLoginsRaisesAnAlert() {
        String org = EventPublisher.newOrg("brute");
        String auditor = TestKeys.auditor(org);
        as(auditor).get("/v1/auth/health").then().statusCode(200)
                .body("org", equalTo(org))
                .body("status", equalTo("ok"))
                .body("offenders", empty());

        try (EventPublisher publisher = new EventPublisher()) {
            // 6 failures of one prefix in the last minute: above degraded (5), below alert (20).
            for (int i = 0; i < 6; i++) {
                publisher.publish(EventPublisher.authFailed(org, Instant.now(), "kw_prod_o_Zz", "192.0.2." + i));
            }
            // Old failures fall outside both windows and count for nothing.
            for (int i = 0; i < 30; i++) {
                publisher.publish(EventPublisher.authFailed(org, Instant.now().minusSeconds(3600), "kw_prod_o_Old", "192.0.2.99"));
            }
        }
        awaitStored(auditor, 36);
        as(auditor).get("/v1/auth/health").then().statusCode(200)
                .body("status", equalTo("degraded"))
                .body("offenders.size()", equalTo(1))
                .body("offenders[0].kind", equalTo("token_prefix"))
                .body("offenders[0].value", equalTo("kw_prod_o_Zz"))
                .body("offenders[0].failures_short", equalTo(6))
                .body("offenders[0].level", equalTo("degraded"));

        try (EventPublisher publisher = new EventPublisher()) {
            for (int i = 0; i < 60; i++) {
                publisher.publish(EventPublisher.authFailed(org, Instant.now(), "kw_dev_r_Brt" + (i % 3), "203.0.113.7"));
            }
        }
        awaitStored(auditor, 96);
        as(auditor).get("/v1/auth/health").then().statusCode(200)
                .body("status", equalTo("alert"))
                .body("offenders.find { it.kind == 'client_ip' }.value", equalTo("203.0.113.7"))
                .body("offenders.find { it.kind == 'client_ip' }.failures_short", equalTo(60))
                .body("offenders.find { it.kind == 'client_ip' }.level", equalTo("alert"))
                .body("by_token_prefix.value", hasItems("kw_dev_r_Brt0", "kw_dev_r_Brt1", "kw_dev_r_Brt2", "kw_prod_o_Zz"))
                .body("windows.name", hasItems("short", "long"));

        // Another org's health is untouched by this org's failures.
        String other = EventPublisher.newOrg("calm");
        as(TestKeys.auditor(other)).get("/v1/auth/health").then().statusCode(200)
                .body("status", equalTo("ok"))
                .body("by_client_ip", empty());
    }

    /**
     * A verifier folds identical failures of one window into one event with {@code data.count}: the
     * trail stores the count, returns it, and the health sums counts, not events.
     */
    @Test
    void foldedFailuresCountByTheUsesTheyStandFor() {
        String org = EventPublisher.newOrg("folded");
        String auditor = TestKeys.auditor(org);
        long[] counts = {20, 20, 15};
        try (EventPublisher publisher = new EventPublisher()) {
            for (long count : counts) {
                publisher.publish(EventPublisher.authFailed(org, Instant.now(), "kw_prod_o_Fd", "198.51.100.9", count));
            }
            publisher.publish(EventPublisher.authFailed(org, Instant.now(), "kw_prod_o_Fd", "198.51.100.9"));
        }
        awaitStored(auditor, 4);
        // 56 failures in 4 events: above the address's short-window alert (50), which 4 rows are far below.
        as(auditor).get("/v1/auth/health").then().statusCode(200)
                .body("status", equalTo("alert"))
                .body("by_client_ip.find { it.value == '198.51.100.9' }.failures_short", equalTo(56))
                .body("by_client_ip.find { it.value == '198.51.100.9' }.failures_long", equalTo(56))
                .body("by_client_ip.find { it.value == '198.51.100.9' }.level", equalTo("alert"))
                .body("by_token_prefix.find { it.value == 'kw_prod_o_Fd' }.failures_short", equalTo(56));
        as(auditor).queryParam("type", "auth:failed").get("/v1/audit/events").then().statusCode(200)
                .body("events.size()", equalTo(4))
                .body("events.data.count", containsInAnyOrder(20, 20, 15, null))
                .body("events.findAll { it.data.count != null }.data.first_at.size()", equalTo(3));
    }

    @Test
    void listsFailuresPerClientIp() {
        String org = EventPublisher.newOrg("ips");
        String auditor = TestKeys.auditor(org);
        try (EventPublisher publisher = new EventPublisher()) {
            for (int i = 0; i < 3; i++) {
                publisher.publish(EventPublisher.authFailed(org, Instant.now(), "kw_prod_o_A" + i, "2001:db8::1"));
            }
        }
        awaitStored(auditor, 3);
        as(auditor).get("/v1/auth/health").then().statusCode(200)
                .body("status", equalTo("ok"))
                .body("by_client_ip.value", hasItem("2001:db8::1"))
                .body("by_client_ip[0].failures_long", equalTo(3));
    }
}
