package dev.keyward.token;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import com.icegreen.greenmail.util.GreenMailUtil;
import dev.keyward.events.EventType;
import dev.keyward.testsupport.EventTap;
import dev.keyward.testsupport.KafkaTestResource;
import dev.keyward.testsupport.PostgresTestResource;
import dev.keyward.token.jobs.MailServerResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import jakarta.mail.internet.MimeMessage;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Leaked keys, through both doors of the one leak service: repo-service's push protection
 * ({@code POST /internal/leaks}) and signed secret-scanner reports ({@code POST /v1/leaks}). Live
 * keys are recorded, revoked under {@code block_and_revoke}, merely recorded under {@code block};
 * everything else changes nothing; no key ever reaches an event, an answer or a mail.
 */
@QuarkusTest
@TestProfile(LeakTests.Reporters.class)
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "keyward_token"))
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(MailServerResource.class)
class LeakTests {

    @Inject
    TestOrgs testOrgs;

    static final Map<String, List<String>> TOKEN_WRITE = Map.of("org", List.of("token:write"));

    /**
     * A reporter's P-256 key pair; the service trusts its public half under two key ids. Made from a
     * fixed seed, so the profile (which may be loaded apart from the test instance) sees the same pair.
     */
    static final KeyPair REPORTER = generate();

    public static class Reporters implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            String publicKey = Base64.getEncoder().encodeToString(REPORTER.getPublic().getEncoded());
            return Map.of("keyward.leaks.reporters.scanner-1", publicKey,
                    "keyward.leaks.reporters.flood", publicKey,
                    // A burst of 10, then one report per 100 s: only the flood test reaches it.
                    "keyward.leaks.rate-limit.per-second", "0.01",
                    "keyward.leaks.rate-limit.burst", "10");
        }
    }

    // ---- push protection: POST /internal/leaks ----

    @Test
    void aPushWithALiveKeyRevokesItAndRecordsTheLeakButLooksAlikesAndDeadKeysChangeNothing() throws Exception {
        TestOrgs.Org org = orgs().create();
        Map<String, Object> live = TestOrgs.issue(org.adminKey(), "ci", "org", TOKEN_WRITE);
        Map<String, Object> dead = TestOrgs.issue(org.adminKey(), "old", "org", TOKEN_WRITE);
        String liveKey = (String) live.get("token");
        String deadKey = (String) dead.get("token");
        given().header("x-api-key", org.adminKey()).delete("/v1/tokens/" + dead.get("id")).then().statusCode(200);
        String lookAlike = badChecksum(liveKey);
        try (EventTap tap = new EventTap()) {
            JsonPath answer = push("acme", "team/app", List.of(
                    finding(liveKey, "a/b.txt", 3), finding(deadKey, "a/c.txt", 7), finding(lookAlike, "a/d.txt", 1)))
                    .then().statusCode(200).extract().jsonPath();

            assertThat(answer.getList("results")).hasSize(3);
            assertThat(answer.getString("results[0].key_prefix")).isEqualTo(live.get("key_prefix"));
            assertThat(answer.getBoolean("results[0].live")).isTrue();
            assertThat(answer.getBoolean("results[0].revoked")).isTrue();
            assertThat(answer.getString("results[0].org")).isEqualTo(org.id());
            assertThat(answer.getString("results[1].key_prefix")).isEqualTo(dead.get("key_prefix"));
            assertThat(answer.getBoolean("results[1].live")).isFalse();
            assertThat(answer.getBoolean("results[1].revoked")).isFalse();
            assertThat(answer.getMap("results[1]")).doesNotContainKey("org");
            assertThat(answer.getBoolean("results[2].live")).isFalse();
            assertThat(answer.getBoolean("results[2].revoked")).isFalse();
            assertThat(answer.prettify()).doesNotContain(liveKey).doesNotContain(deadKey);

            // The leaked key is refused from now on; the org's other keys are not touched.
            given().header("Authorization", "Bearer " + liveKey).get("/v1/tokens").then().statusCode(401);
            given().header("x-api-key", org.adminKey()).get("/v1/tokens/" + live.get("id")).then().statusCode(200)
                    .body("revoked_at", notNullValue());

            // token:leaked, then token:revoked, in the key's org; no key in either.
            await().atMost(Duration.ofSeconds(30)).until(() -> tap.onceAbout((String) live.get("id")).stream()
                    .filter(r -> r.event().type() == EventType.TOKEN_REVOKED).count() == 1);
            List<EventTap.Received> events = tap.onceAbout((String) live.get("id")).stream()
                    .filter(r -> r.event().type() != EventType.TOKEN_CREATED).toList();
            assertThat(events).extracting(r -> r.event().type())
                    .containsExactly(EventType.TOKEN_LEAKED, EventType.TOKEN_REVOKED);
            EventTap.Received leaked = events.get(0);
            assertThat(leaked.key()).isEqualTo(org.id());
            assertThat(leaked.event().data().org()).isEqualTo(org.id());
            assertThat(leaked.event().data().keyPrefix()).isEqualTo(live.get("key_prefix"));
            assertThat(leaked.event().data().repo()).isEqualTo("team/app");
            assertThat(leaked.event().data().operation()).isEqualTo("token:leak");
            assertThat(leaked.event().data().attributes()).containsEntry("source", "push")
                    .containsEntry("repo_org", "acme").containsEntry("commit", "0123abcd")
                    .containsEntry("path", "a/b.txt").containsEntry("line", 3).containsEntry("revoked", true);
            for (EventTap.Received r : tap.ofOrg(org.id())) {
                assertThat(r.json()).doesNotContain(liveKey).doesNotContain(deadKey).doesNotContain(lookAlike);
            }
            // Nothing about the dead key or the look-alike.
            assertThat(tap.onceAbout((String) dead.get("id"))).extracting(r -> r.event().type())
                    .doesNotContain(EventType.TOKEN_LEAKED);
        }
    }

    @Test
    void underLeakActionBlockAPushedKeyIsReportedLiveButStaysValid() throws Exception {
        TestOrgs.Org org = orgs().create();
        assertThat(TestOrgs.policy(org, Map.of("leak_action", "block")).getString("leak_action")).isEqualTo("block");
        Map<String, Object> live = TestOrgs.issue(org.adminKey(), "ci", "org", TOKEN_WRITE);
        String key = (String) live.get("token");
        try (EventTap tap = new EventTap()) {
            push("acme", "team/app", List.of(finding(key, "x.env", 1))).then().statusCode(200)
                    .body("results[0].live", equalTo(true))
                    .body("results[0].revoked", equalTo(false))
                    .body("results[0].org", equalTo(org.id()));

            given().header("Authorization", "Bearer " + key).get("/v1/tokens").then().statusCode(200);
            await().atMost(Duration.ofSeconds(30)).until(() -> tap.onceAbout((String) live.get("id")).stream()
                    .anyMatch(r -> r.event().type() == EventType.TOKEN_LEAKED));
            EventTap.Received leaked = tap.onceAbout((String) live.get("id")).stream()
                    .filter(r -> r.event().type() == EventType.TOKEN_LEAKED).findFirst().orElseThrow();
            assertThat(leaked.event().data().attributes()).containsEntry("leak_action", "block")
                    .containsEntry("revoked", false);
            assertThat(leaked.json()).doesNotContain(key);
        }
        given().header("x-api-key", org.adminKey()).get("/v1/tokens/" + live.get("id")).then().statusCode(200)
                .body("revoked_at", nullValue());
    }

    @Test
    void malformedOrUnauthenticatedPushReportsAreRefused() {
        given().header("X-Keyward-Internal", TestOrgs.INTERNAL_SECRET).contentType(ContentType.JSON)
                .body("{\"source\":\"push\",\"repo_org\":\"acme\",\"repo\":\"a\",\"findings\":[{\"token\":3}]}")
                .post("/internal/leaks").then().statusCode(400);
        given().header("X-Keyward-Internal", TestOrgs.INTERNAL_SECRET).contentType(ContentType.JSON)
                .body("{\"source\":\"push\",\"repo_org\":\"acme\",\"repo\":\"a\"}")
                .post("/internal/leaks").then().statusCode(400);
        given().header("X-Keyward-Internal", TestOrgs.INTERNAL_SECRET).contentType(ContentType.JSON)
                .body("{\"source\":\"push\",").post("/internal/leaks").then().statusCode(400);
        given().contentType(ContentType.JSON)
                .body(Map.of("source", "push", "repo_org", "acme", "repo", "a", "findings", List.of()))
                .post("/internal/leaks").then().statusCode(401);
        push("acme", "a", List.of()).then().statusCode(200).body("results.size()", equalTo(0));
    }

    // ---- secret scanner reports: POST /v1/leaks ----

    @Test
    void aSignedReportLabelsEachEntryByHashRevokesTheLiveKeyAndMailsTheContact() throws Exception {
        TestOrgs.Org org = orgs().create();
        String contact = "security@" + org.id() + ".example.test";
        given().header("x-api-key", org.adminKey()).contentType(ContentType.JSON).body(Map.of("contact_email", contact))
                .put("/v1/orgs/" + org.id() + "/notifications").then().statusCode(200);
        Map<String, Object> live = TestOrgs.issue(org.adminKey(), "deploy bot", "org", TOKEN_WRITE);
        Map<String, Object> dead = TestOrgs.issue(org.adminKey(), "retired", "org", TOKEN_WRITE);
        String liveKey = (String) live.get("token");
        String deadKey = (String) dead.get("token");
        given().header("x-api-key", org.adminKey()).delete("/v1/tokens/" + dead.get("id")).then().statusCode(200);
        String garbage = "kw_prod_o_not-a-real-key";
        String url = "https://code.example.test/acme/app/blob/main/.env";
        byte[] body = json(List.of(entry(liveKey, url), entry(deadKey, url), entry(garbage, url), entry(liveKey, url)));

        JsonPath answer = report("scanner-1", sign(body), body).then().statusCode(200).extract().jsonPath();
        assertThat(answer.getList("token_hash")).containsExactly(sha256(liveKey), sha256(deadKey), sha256(garbage),
                sha256(liveKey));
        assertThat(answer.getList("label")).containsExactly("true_positive", "false_positive", "false_positive",
                "true_positive");
        assertThat(answer.prettify()).doesNotContain(liveKey).doesNotContain(deadKey).doesNotContain(garbage);
        given().header("Authorization", "Bearer " + liveKey).get("/v1/tokens").then().statusCode(401);
        // One revocation although the key was reported twice.
        given().header("x-api-key", org.adminKey()).get("/v1/tokens/" + live.get("id")).then().statusCode(200)
                .body("revoked_at", notNullValue());

        // The contact hears of it (the key was made by a key, so no person's address): one mail, prefix only.
        runNotifications();
        await().atMost(Duration.ofSeconds(30)).until(() -> !mailsTo(contact).isEmpty());
        List<MimeMessage> mails = mailsTo(contact);
        assertThat(mails).hasSize(1);
        assertThat(mails.get(0).getSubject()).contains((String) live.get("key_prefix")).contains("revoked");
        String text = GreenMailUtil.getBody(mails.get(0));
        assertThat(text).contains((String) live.get("id")).contains("report by scanner-1").doesNotContain(liveKey);
        runNotifications();
        assertThat(mailsTo(contact)).hasSize(1);
    }

    @Test
    void aBadSignatureOrAnUnknownKeyIdIsRefusedAndRevokesNothing() throws Exception {
        TestOrgs.Org org = orgs().create();
        Map<String, Object> live = TestOrgs.issue(org.adminKey(), "ci", "org", TOKEN_WRITE);
        String key = (String) live.get("token");
        byte[] body = json(List.of(entry(key, "https://code.example.test/x")));
        byte[] other = json(List.of(entry(key, "https://code.example.test/y")));

        report("scanner-1", sign(other), body).then().statusCode(401).body("error", equalTo("bad_signature"));
        report("scanner-1", "not base64!", body).then().statusCode(401).body("error", equalTo("bad_signature"));
        report("scanner-1", null, body).then().statusCode(401).body("error", equalTo("bad_signature"));
        report("someone-else", sign(body), body).then().statusCode(401).body("error", equalTo("bad_signature"));
        given().header("Authorization", "Bearer " + key).get("/v1/tokens").then().statusCode(200);

        // The raw r||s form is accepted as well as DER.
        report("scanner-1", sign(body, "SHA256withECDSAinP1363Format"), body).then().statusCode(200)
                .body("label", equalTo(List.of("true_positive")));
        given().header("Authorization", "Bearer " + key).get("/v1/tokens").then().statusCode(401);
    }

    @Test
    void aReporterBeyondItsRateGets429WithRetryAfter() throws Exception {
        byte[] body = json(List.of());
        String signature = sign(body);
        int status = 200;
        Response last = null;
        for (int i = 0; i < 30 && status == 200; i++) {
            last = report("flood", signature, body);
            status = last.statusCode();
        }
        assertThat(status).isEqualTo(429);
        assertThat(last.jsonPath().getString("error")).isEqualTo("rate_limited");
        assertThat(Long.parseLong(last.header("Retry-After"))).isPositive();
    }

    @Test
    void aReportThatIsNotAnArrayOfEntriesIsRefused() throws Exception {
        byte[] body = "{\"token\":\"x\"}".getBytes(StandardCharsets.UTF_8);
        report("scanner-1", sign(body), body).then().statusCode(400);
        byte[] unknown = "[{\"token\":\"x\",\"tokn\":1}]".getBytes(StandardCharsets.UTF_8);
        report("scanner-1", sign(unknown), unknown).then().statusCode(422);
    }

    // ---- helpers ----

    private TestOrgs orgs() {
        return testOrgs;
    }

    private static Map<String, Object> finding(String token, String path, int line) {
        return Map.of("token", token, "commit", "0123abcd", "path", path, "line", line);
    }

    private static Response push(String repoOrg, String repo, List<Map<String, Object>> findings) {
        return given().header("X-Keyward-Internal", TestOrgs.INTERNAL_SECRET).contentType(ContentType.JSON)
                .body(Map.of("source", "push", "repo_org", repoOrg, "repo", repo, "findings", findings))
                .post("/internal/leaks");
    }

    private static Map<String, Object> entry(String token, String url) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("token", token);
        e.put("type", "keyward_api_key");
        e.put("url", url);
        e.put("source", "content");
        return e;
    }

    private static byte[] json(List<Map<String, Object>> entries) throws Exception {
        return new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsBytes(entries);
    }

    private static Response report(String keyId, String signature, byte[] body) {
        var request = given().contentType(ContentType.JSON).body(body);
        if (keyId != null) {
            request = request.header("Keyward-Signature-Key-Id", keyId);
        }
        if (signature != null) {
            request = request.header("Keyward-Signature", signature);
        }
        return request.post("/v1/leaks");
    }

    private static String sign(byte[] body) throws GeneralSecurityException {
        return sign(body, "SHA256withECDSA");
    }

    private static String sign(byte[] body, String algorithm) throws GeneralSecurityException {
        Signature signer = Signature.getInstance(algorithm);
        signer.initSign(REPORTER.getPrivate());
        signer.update(body);
        return Base64.getEncoder().encodeToString(signer.sign());
    }

    private static String sha256(String s) throws GeneralSecurityException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    }

    /** The key with its last checksum character changed: the right shape, a wrong checksum. */
    private static String badChecksum(String key) {
        char last = key.charAt(key.length() - 1);
        return key.substring(0, key.length() - 1) + (last == 'A' ? 'B' : 'A');
    }

    private static void runNotifications() {
        given().header("X-Keyward-Internal", TestOrgs.INTERNAL_SECRET).post("/internal/jobs/notifications/run")
                .then().statusCode(200);
    }

    private static List<MimeMessage> mailsTo(String address) throws Exception {
        return MailServerResource.mailsTo(address);
    }

    private static KeyPair generate() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            java.security.SecureRandom seeded = java.security.SecureRandom.getInstance("SHA1PRNG");
            seeded.setSeed("keyward leak reporter for tests".getBytes(StandardCharsets.UTF_8));
            generator.initialize(new ECGenParameterSpec("secp256r1"), seeded);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
