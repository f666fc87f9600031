package dev.keyward.token.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.icegreen.greenmail.util.GreenMailUtil;
import dev.keyward.events.EventType;
import dev.keyward.testsupport.EventTap;
import dev.keyward.testsupport.KafkaTestResource;
import dev.keyward.testsupport.PostgresTestResource;
import dev.keyward.token.TestOrgs;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import jakarta.mail.internet.MimeMessage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.hamcrest.Matchers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Deprecation notices: one token:expiring event, one e-mail through a real SMTP server and one
 * signed webhook per token, retried with backoff, never repeated by reruns or racing runs.
 */
@QuarkusTest
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "keyward_token"))
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(MailServerResource.class)
class DeprecationJobTests {

    static final long DAY = 86_400;

    @Inject
    TestOrgs orgs;

    @Inject
    MutableClock clock;

    @AfterEach
    void resetClock() {
        clock.reset();
    }

    /** An org with a contact address, a webhook URL and secret, set through the notifications API. */
    private String configure(TestOrgs.Org org, String webhookUrl, String secret) {
        String contact = "ops@" + org.id() + ".example.test";
        Map<String, Object> settings = new java.util.HashMap<>();
        settings.put("contact_email", contact);
        settings.put("webhook_url", webhookUrl);
        settings.put("webhook_secret", secret);
        io.restassured.RestAssured.given().header("x-api-key", org.adminKey())
                .contentType(io.restassured.http.ContentType.JSON).body(settings)
                .put("/v1/orgs/" + org.id() + "/notifications").then().statusCode(200)
                .body("webhook_secret_set", Matchers.equalTo(secret != null));
        return contact;
    }

    @Test
    void aTokenExpiringSoonGetsOneEventOneMailAndOneSignedWebhookWithRetry() throws Exception {
        TestOrgs.Org org = orgs.create();
        String secret = "whsec-" + org.id();
        try (EventTap tap = new EventTap(); WebhookReceiver hook = new WebhookReceiver(true)) {
            String contact = configure(org, hook.url(), secret);
            Map<String, Object> soon = ExpiryJobTests.issue(org.adminKey(), "ci deploy", 10 * DAY);
            Map<String, Object> owned = ExpiryJobTests.issue(org.adminKey(), "owned", 12 * DAY);
            Map<String, Object> later = ExpiryJobTests.issue(org.adminKey(), "later", 20 * DAY);
            String soonId = (String) soon.get("id");
            String ownedId = (String) owned.get("id");
            String laterId = (String) later.get("id");

            JsonPath run = ExpiryJobTests.runJob("deprecation");
            assertThat(run.getBoolean("ran")).isTrue();
            assertThat(run.getLong("counts.notified")).isGreaterThanOrEqualTo(2);

            // Webhook: the receiver refused the first attempt of each delivery with 500.
            assertThat(hook.requests()).hasSize(2).allSatisfy(r -> assertThat(r.answered()).isEqualTo(500));
            assertThat(orgs.count("select attempts from notification_deliveries where token_id = ? and channel = 'webhook'",
                    soonId)).isEqualTo(1);
            Instant retryAt = orgs.instant(
                    "select next_attempt_at from notification_deliveries where token_id = ? and channel = 'webhook'", soonId);
            assertThat(retryAt).isAfter(clock.instant().plusSeconds(20));

            // Nothing is due before the backoff ends; after it, the retry is delivered.
            assertThat(ExpiryJobTests.runJob("notifications").getLong("counts.delivered")).isZero();
            clock.advance(Duration.ofSeconds(31));
            assertThat(ExpiryJobTests.runJob("notifications").getLong("counts.delivered")).isGreaterThanOrEqualTo(2);
            deliverAllQueued(org.id());
            List<WebhookReceiver.Request> requests = hook.requests();
            assertThat(requests).hasSize(4);
            List<WebhookReceiver.Request> accepted = requests.stream().filter(r -> r.answered() == 200).toList();
            assertThat(accepted).hasSize(2);
            for (WebhookReceiver.Request r : requests) {
                String ts = r.header("X-Keyward-Timestamp");
                assertThat(r.header("X-Keyward-Signature")).isEqualTo("sha256=" + hmac(secret, ts + "." + r.body()));
                assertThat(r.header("X-Keyward-Event")).isEqualTo("token:expiring");
                assertThat(r.body()).doesNotContain((String) soon.get("token")).doesNotContain((String) owned.get("token"))
                        .doesNotContain(secret);
            }
            assertThat(hmac("another secret", "x")).isNotEqualTo(hmac(secret, "x"));
            JsonPath body = JsonPath.from(accepted.stream().filter(r -> r.body().contains(soonId)).findFirst()
                    .orElseThrow().body());
            assertThat(body.getString("type")).isEqualTo("token:expiring");
            assertThat(body.getString("key_prefix")).isEqualTo(soon.get("key_prefix"));
            assertThat(body.getString("org")).isEqualTo(org.id());
            assertThat(body.getString("expires_at")).isEqualTo(soon.get("expires_at"));
            // Both attempts of one delivery carry the same delivery id (the event id), for deduplication.
            assertThat(requests.stream().filter(r -> r.body().contains(soonId)).map(r -> r.header("X-Keyward-Delivery"))
                    .distinct()).hasSize(1);

            // E-mail: one per due token, to the org's contact for tokens made by keys (a person's go to
            // the person: OidcApiTests).
            List<MimeMessage> toContact = mailsTo(contact);
            assertThat(toContact).hasSize(2);
            MimeMessage mail = toContact.stream().filter(m -> subjectOf(m).contains("ci deploy")).findFirst().orElseThrow();
            assertThat(mail.getSubject()).contains((String) soon.get("key_prefix")).contains("ci deploy");
            String text = GreenMailUtil.getBody(mail);
            assertThat(text).contains((String) soon.get("key_prefix")).contains(soonId)
                    .doesNotContain((String) soon.get("token"));
            assertThat(toContact.stream().map(DeprecationJobTests::subjectOf).filter(sub -> sub.contains((String) owned.get("key_prefix"))))
                    .hasSize(1);

            // Reruns send nothing again.
            ExpiryJobTests.runJob("deprecation");
            ExpiryJobTests.runJob("notifications");
            assertThat(mailsTo(contact)).hasSize(2);
            assertThat(hook.requests()).hasSize(4);

            // The event: once per token, on Kafka, prefix only.
            await().atMost(Duration.ofSeconds(30)).until(() -> orgs.count(
                    "select count(*) from event_outbox where sent_at is null and org_id = ?", org.id()) == 0);
            await().atMost(Duration.ofSeconds(30)).until(() -> expiring(tap, soonId).size() == 1
                    && expiring(tap, ownedId).size() == 1);
            EventTap.Received event = expiring(tap, soonId).get(0);
            assertThat(event.event().data().keyPrefix()).isEqualTo(soon.get("key_prefix"));
            assertThat(event.event().id()).isEqualTo(body.getString("id"));
            assertThat(event.json()).doesNotContain((String) soon.get("token"));
            assertThat(expiring(tap, laterId)).isEmpty();

            // A week later the 20-day token enters the 14-day window: noticed once, like the others.
            clock.advance(Duration.ofDays(7));
            ExpiryJobTests.runJob("deprecation");
            ExpiryJobTests.runJob("deprecation");
            deliverAllQueued(org.id());
            assertThat(mailsTo(contact)).hasSize(3);
            assertThat(subjectOf(mailsTo(contact).get(2))).contains((String) later.get("key_prefix"));
            await().atMost(Duration.ofSeconds(30)).until(() -> expiring(tap, laterId).size() == 1);
            assertThat(expiring(tap, soonId)).hasSize(1);
        }
    }

    @Test
    void racingRunsNotifyEachTokenOnce() throws Exception {
        TestOrgs.Org org = orgs.create();
        try (WebhookReceiver hook = new WebhookReceiver(false)) {
            String contact = configure(org, hook.url(), "whsec-race-of-two-runs");
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                ids.add((String) ExpiryJobTests.issue(org.adminKey(), "racer " + i, (5 + i) * DAY).get("id"));
            }
            CountDownLatch start = new CountDownLatch(1);
            List<CompletableFuture<JsonPath>> runs = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                runs.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        start.await();
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                    return ExpiryJobTests.runJob("deprecation");
                }));
            }
            start.countDown();
            List<JsonPath> results = runs.stream().map(CompletableFuture::join).toList();
            assertThat(results).anyMatch(r -> r.getBoolean("ran"));
            deliverAllQueued(org.id());

            assertThat(mailsTo(contact)).hasSize(10);
            assertThat(hook.requests()).hasSize(10);
            for (String id : ids) {
                assertThat(hook.requests().stream().filter(r -> r.body().contains(id))).hasSize(1);
                assertThat(orgs.count("select count(*) from event_outbox where event_type = 'token:expiring'"
                        + " and payload like ?", "%" + id + "%")).isEqualTo(1);
                assertThat(orgs.count("select count(*) from notification_deliveries where token_id = ?"
                        + " and delivered_at is not null", id)).isEqualTo(2);
            }
        }
    }

    @Test
    void aWebhookNeedsASecretAndWithoutOneOnlyTheMailIsSent() throws Exception {
        TestOrgs.Org org = orgs.create();
        try (WebhookReceiver hook = new WebhookReceiver(false)) {
            io.restassured.RestAssured.given().header("x-api-key", org.adminKey())
                    .contentType(io.restassured.http.ContentType.JSON).body(Map.of("webhook_url", hook.url()))
                    .put("/v1/orgs/" + org.id() + "/notifications").then().statusCode(422)
                    .body("message", Matchers.containsString("webhook_secret"));
            String contact = configure(org, null, null);
            String id = (String) ExpiryJobTests.issue(org.adminKey(), "unsigned", 3 * DAY).get("id");
            ExpiryJobTests.runJob("deprecation");
            deliverAllQueued(org.id());
            assertThat(mailsTo(contact)).hasSize(1);
            assertThat(hook.requests()).isEmpty();
            assertThat(orgs.count("select count(*) from notification_deliveries where token_id = ? and channel = 'webhook'",
                    id)).isZero();
        }
    }

    /**
     * Runs the notifications job, moving the clock past each backoff, until the org has nothing
     * left to send: an attempt that failed (e.g. a stalled SMTP session) is retried, as in production.
     */
    private void deliverAllQueued(String org) {
        String pending = "select count(*) from notification_deliveries where org_id = ?"
                + " and delivered_at is null and failed_at is null";
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            if (orgs.count(pending, org) == 0) {
                return true;
            }
            clock.advance(Duration.ofMinutes(10));
            ExpiryJobTests.runJob("notifications");
            return orgs.count(pending, org) == 0;
        });
    }

    private static List<EventTap.Received> expiring(EventTap tap, String tokenId) {
        return tap.about(tokenId).stream().filter(r -> r.event().type() == EventType.TOKEN_EXPIRING).toList();
    }

    static List<MimeMessage> mailsTo(String address) throws Exception {
        return MailServerResource.mailsTo(address);
    }

    static String subjectOf(MimeMessage m) {
        try {
            return m.getSubject();
        } catch (jakarta.mail.MessagingException e) {
            throw new IllegalStateException(e);
        }
    }

    static String hmac(String secret, String data) throws Exception {
        return WebhookReceiver.hmac(secret, data);
    }
}
