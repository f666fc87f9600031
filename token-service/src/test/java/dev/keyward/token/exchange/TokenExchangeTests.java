package dev.keyward.token.exchange;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

import dev.keyward.contract.ExchangedToken;
import dev.keyward.events.EventType;
import dev.keyward.testsupport.CiPlatform;
import dev.keyward.testsupport.EventTap;
import dev.keyward.testsupport.KafkaTestResource;
import dev.keyward.testsupport.KeycloakTestResource;
import dev.keyward.testsupport.PostgresTestResource;
import dev.keyward.token.TestOrgs;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.crypto.spec.SecretKeySpec;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Secretless CI against a real OIDC issuer: a realm of the real Keycloak plays the CI platform
 * ({@link CiPlatform}), its client-credentials token carries {@code repository}/{@code ref}/{@code job_id}
 * claims, and a trust policy of the org decides what it becomes. Accepted exchanges give an ES256
 * token Keyward signed (checked against {@code /.well-known/jwks.json}); every refusal is an RFC 6749
 * error. (This profile lets issuers be http on 127.0.0.0/8, as the local Keycloak needs.)
 */
@QuarkusTest
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "keyward_token"))
@QuarkusTestResource(KafkaTestResource.class)
class TokenExchangeTests {

    private static final String TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";
    private static final String JWT = "urn:ietf:params:oauth:token-type:jwt";
    private static CiPlatform ci;

    @Inject
    TestOrgs orgs;

    @BeforeAll
    static void platform() {
        ci = CiPlatform.create(KeycloakTestResource.keycloak());
    }

    @Test
    @SuppressWarnings("unchecked")
    void aMatchingJobTokenBecomesAShortLivedKeywardTokenSignedByKeyward() throws Exception {
        TestOrgs.Org org = orgs.create();
        String job = ci.jobToken();
        String sub = (String) CiPlatform.claimsOf(job).get("sub");
        String tp = createPolicy(org, policy(sub, Map.of("repository", "acme/*", "ref", "refs/heads/main"),
                Map.of("repos:acme/*", List.of("git:read", "git:write")), null))
                .body("id", containsStringStart("tp_")).body("max_ttl", equalTo(3600))
                .body("claims.repository", equalTo("acme/*")).extract().path("id");

        try (EventTap tap = new EventTap()) {
            Response answer = exchange(job, org.id(), null, null);
            answer.then().statusCode(200).header("Cache-Control", "no-store")
                    .body("issued_token_type", equalTo(JWT)).body("token_type", equalTo("Bearer"))
                    .body("expires_in", equalTo(3600)).body("scope", equalTo("repos:acme/*=git:read,git:write"));
            String issued = answer.path("access_token");

            // Signed by a key Keyward publishes, with exactly the contract's claims.
            JsonWebSignature jws = new JsonWebSignature();
            jws.setCompactSerialization(issued);
            assertThat(jws.getAlgorithmHeaderValue()).isEqualTo("ES256");
            assertThat(jws.getHeader("typ")).isEqualTo("JWT");
            JsonWebKeySet published = new JsonWebKeySet(given().get("/.well-known/jwks.json").then().statusCode(200)
                    .extract().asString());
            jws.setKey(published.findJsonWebKey(jws.getKeyIdHeaderValue(), "EC", null, null).getKey());
            assertThat(jws.verifySignature()).isTrue();
            ExchangedToken claims = ExchangedToken.fromClaims(JwtClaims.parse(jws.getPayload()).getClaimsMap());
            assertThat(claims.org()).isEqualTo(org.id());
            assertThat(claims.subject()).isEqualTo(sub);
            assertThat(claims.trustPolicy()).isEqualTo(tp);
            assertThat(claims.issuer()).isEqualTo(ExchangedToken.DEFAULT_ISSUER);
            assertThat(Duration.between(claims.issuedAt(), claims.expiresAt())).isEqualTo(Duration.ofHours(1));
            assertThat(claims.scopes().toWire()).isEqualTo(Map.of("repos:acme/*", List.of("git:read", "git:write")));

            // The trail names the job behind the token, and holds neither token.
            await().atMost(Duration.ofSeconds(30)).until(() -> !tap.about(claims.jti()).isEmpty());
            EventTap.Received event = tap.about(claims.jti()).get(0);
            assertThat(event.event().type()).isEqualTo(EventType.TOKEN_EXCHANGED);
            assertThat(event.event().data().actor()).isEqualTo(sub);
            assertThat(event.event().data().attributes()).containsEntry("issuer", ci.issuer()).containsEntry("trust_policy", tp)
                    .containsEntry("subject", sub);
            assertThat((Map<String, Object>) event.event().data().attributes().get("claims"))
                    .containsEntry("repository", CiPlatform.REPOSITORY).containsEntry("ref", CiPlatform.REF)
                    .containsEntry("job_id", CiPlatform.JOB_ID);
            assertThat(event.json()).doesNotContain(issued).doesNotContain(job.split("\\.")[2]);
        }

        // Narrower on request: one permission everywhere the policy grants it, and a shorter life.
        exchange(ci.jobToken(), org.id(), "git:read", "600").then().statusCode(200)
                .body("scope", equalTo("repos:acme/*=git:read")).body("expires_in", equalTo(600));
        exchange(ci.jobToken(), org.id(), "repos:acme/app=git:write", null).then().statusCode(200)
                .body("scope", equalTo("repos:acme/app=git:write"));
    }

    @Test
    void tokensThatAreNotTheIssuersOrNotValidNowAreRefused() throws Exception {
        TestOrgs.Org org = orgs.create();
        String sub = (String) CiPlatform.claimsOf(ci.jobToken()).get("sub");
        createPolicy(org, policy("*", Map.of(), Map.of("repos:acme/*", List.of("git:read")), null)).statusCode(201);
        long now = Instant.now().getEpochSecond();
        Map<String, Object> valid = claims(sub, now - 10, now + 300);
        // The test's own control: the platform's key and kid make a token that is accepted.
        exchange(ci.sign(valid, AlgorithmIdentifiers.RSA_USING_SHA256, ci.kid()), org.id(), null, null).then().statusCode(200);

        refused(exchange(ci.sign(claims(sub, now - 600, now - 120), AlgorithmIdentifiers.RSA_USING_SHA256, ci.kid()),
                org.id(), null, null), "invalid_grant", "expired");
        refused(exchange(ci.sign(claims(sub, now + 300, now + 900), AlgorithmIdentifiers.RSA_USING_SHA256, ci.kid()),
                org.id(), null, null), "invalid_grant", "not valid yet");
        refused(exchange(CiPlatform.sign(valid, AlgorithmIdentifiers.NONE, ci.kid(), null), org.id(), null, null),
                "invalid_grant", "alg");
        // The classic confusion: HS256 keyed with the issuer's public key, as if it were a shared secret.
        refused(exchange(CiPlatform.sign(valid, AlgorithmIdentifiers.HMAC_SHA256, ci.kid(),
                new SecretKeySpec(ci.publicKeyBytes(), "HmacSHA256")), org.id(), null, null), "invalid_grant", "alg");
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        java.security.PrivateKey stranger = rsa.generateKeyPair().getPrivate();
        refused(exchange(CiPlatform.sign(valid, AlgorithmIdentifiers.RSA_USING_SHA256, "no-such-kid", stranger), org.id(),
                null, null), "invalid_grant", "kid");
        refused(exchange(CiPlatform.sign(valid, AlgorithmIdentifiers.RSA_USING_SHA256, ci.kid(), stranger), org.id(),
                null, null), "invalid_grant", "signature");
        // Another issuer's real token: no policy of the org trusts it.
        CiPlatform other = CiPlatform.create(KeycloakTestResource.keycloak());
        refused(exchange(other.jobToken(), org.id(), null, null), "invalid_grant", "issuer");
        refused(exchange("not-a-jwt", org.id(), null, null), "invalid_request", "subject_token");
    }

    @Test
    void aPolicyMustMatchAudienceSubjectAndClaimsAndBoundsScopeAndLifetime() {
        TestOrgs.Org org = orgs.create();
        String job = ci.jobToken();
        String sub = (String) CiPlatform.claimsOf(job).get("sub");
        Map<String, Object> wrongAudience = policy(sub, Map.of(), Map.of("repos:acme/*", List.of("git:read")), null);
        wrongAudience.put("audience", "another-service");
        createPolicy(org, wrongAudience).statusCode(201);
        createPolicy(org, policy("repo:other/*", Map.of(), Map.of("repos:acme/*", List.of("git:read")), null)).statusCode(201);
        createPolicy(org, policy("*", Map.of("ref", "refs/heads/release/*"), Map.of("repos:acme/*", List.of("git:read")), null))
                .statusCode(201);
        try (EventTap tap = new EventTap()) {
            refused(exchange(job, org.id(), null, null), "invalid_grant", "no trust policy of this org matches");
            await().atMost(Duration.ofSeconds(30)).until(() -> tap.ofOrg(org.id()).stream()
                    .anyMatch(r -> r.event().type() == EventType.AUTH_FAILED
                            && "token:exchange".equals(r.event().data().operation())));
        }

        createPolicy(org, policy(sub, Map.of("repository", CiPlatform.REPOSITORY), Map.of("repos:acme/*", List.of("git:read")),
                600L)).statusCode(201);
        exchange(job, org.id(), null, null).then().statusCode(200).body("expires_in", equalTo(600));
        refused(exchange(job, org.id(), "repos:acme/*=git:write", null), "invalid_scope", "wider");
        refused(exchange(job, org.id(), "org:admin", null), "invalid_scope", "grants");
        refused(exchange(job, org.id(), null, "601"), "invalid_request", "max_ttl");

        // The org must exist and be active; the grant type and the token type must be the contract's.
        refused(exchange(job, "no-such-org", null, null), "invalid_target", "audience");
        given().header("Authorization", "Bearer " + TestOrgs.operatorKey()).post("/v1/orgs/" + org.id() + "/suspend")
                .then().statusCode(200);
        refused(exchange(job, org.id(), null, null), "invalid_target", "audience");
        refused(given().contentType(ContentType.URLENC).formParam("grant_type", "client_credentials")
                .formParam("subject_token", job).post("/v1/token-exchange"), "unsupported_grant_type", "grant_type");
        refused(given().contentType(ContentType.URLENC).formParam("grant_type", TOKEN_EXCHANGE).formParam("subject_token", job)
                .formParam("subject_token_type", "urn:ietf:params:oauth:token-type:saml2").formParam("audience", org.id())
                .post("/v1/token-exchange"), "invalid_request", "subject_token_type");
    }

    @Test
    void policiesAreCheckedWhenCreatedAndRevocationsReachTheVerifiersRules() {
        TestOrgs.Org org = orgs.create();
        Map<String, List<String>> read = Map.of("repos:acme/*", List.of("git:read"));
        createPolicy(org, policy("*", Map.of(), read, 7200L)).statusCode(422).body("message", containsString("max_ttl"));
        Map<String, Object> privateIssuer = policy("*", Map.of(), read, null);
        // A literal private address: refused by the address rules before any connection is attempted.
        privateIssuer.put("issuer", "http://10.1.2.3/realms/ci");
        createPolicy(org, privateIssuer).statusCode(422).body("error", equalTo("unsafe_issuer"))
                .body("message", containsString("issuer"));
        Map<String, Object> platformScope = policy("*", Map.of(), Map.of("org", List.of("orgs:write")), null);
        createPolicy(org, platformScope).statusCode(422);
        // The subset rule: a policy gives no more than its author holds.
        String narrowAdmin = TestOrgs.issue(org.adminKey(), "narrow admin", "org",
                Map.of("org", List.of("org:admin"), "repos:acme/*", List.of("git:read"))).get("token").toString();
        createPolicy(new TestOrgs.Org(org.id(), narrowAdmin), policy("*", Map.of(), Map.of("repos:acme/*",
                List.of("git:write")), null)).statusCode(403).body("error", equalTo("scope_escalation"));

        String job = ci.jobToken();
        String tp = createPolicy(org, policy("*", Map.of(), read, null)).statusCode(201).extract().path("id");
        given().header("Authorization", "Bearer " + org.adminKey()).get("/v1/orgs/" + org.id() + "/trust-policies")
                .then().statusCode(200).body("trust_policies.id", hasItem(tp));
        String jti = jtiOf(exchange(job, org.id(), null, null).then().statusCode(200).extract().path("access_token"));

        given().header("Authorization", "Bearer " + org.adminKey()).delete("/v1/tokens/" + jti).then().statusCode(200)
                .body("id", equalTo(jti)).body("revoked", equalTo(true));
        rules(org).body("revoked_tokens", hasItem(jti)).body("revoked_trust_policies", not(hasItem(tp)));
        given().header("Authorization", "Bearer " + org.adminKey()).delete("/v1/orgs/" + org.id() + "/trust-policies/" + tp)
                .then().statusCode(200).body("deleted", equalTo(true));
        rules(org).body("revoked_trust_policies", hasItem(tp));
        given().header("Authorization", "Bearer " + org.adminKey()).get("/v1/orgs/" + org.id() + "/trust-policies/" + tp)
                .then().statusCode(404);
        refused(exchange(job, org.id(), null, null), "invalid_grant", "issuer");
        // Another org's admin sees none of it.
        TestOrgs.Org stranger = orgs.create();
        given().header("Authorization", "Bearer " + stranger.adminKey()).delete("/v1/tokens/" + jti).then().statusCode(404);
        given().header("Authorization", "Bearer " + stranger.adminKey()).get("/v1/orgs/" + org.id() + "/trust-policies")
                .then().statusCode(404);
    }

    @Test
    void concurrentExchangesOfOneOrgCommitEachWithItsEventAndARefusalFailsNoOther() throws Exception {
        TestOrgs.Org org = orgs.create();
        String sub = (String) CiPlatform.claimsOf(ci.jobToken()).get("sub");
        createPolicy(org, policy("*", Map.of("repository", CiPlatform.REPOSITORY), Map.of("repos:acme/*", List.of("git:read")),
                null)).statusCode(201);
        long now = Instant.now().getEpochSecond();
        String valid = ci.sign(claims(sub, now - 10, now + 300), AlgorithmIdentifiers.RSA_USING_SHA256, ci.kid());
        Map<String, Object> otherRepository = claims(sub, now - 10, now + 300);
        otherRepository.put("repository", "acme/other");
        String unmatched = ci.sign(otherRepository, AlgorithmIdentifiers.RSA_USING_SHA256, ci.kid());
        String unknownOrg = "no-such-org-" + UUID.randomUUID().toString().substring(0, 8);

        // Arriving together, the exchanges of the org share reads and commits; each keeps its own outcome.
        int count = 40;
        List<Callable<Response>> calls = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int n = i;
            calls.add(switch (n % 4) {
                case 0, 1 -> () -> exchange(valid, org.id(), null, null);
                case 2 -> () -> exchange(unmatched, org.id(), null, null);
                default -> n % 8 == 3 ? () -> exchange(valid, unknownOrg, null, null)
                        : () -> exchange(valid, org.id(), "repos:acme/*=git:write", null);
            });
        }
        List<Response> answers = concurrently(calls);

        List<String> jtis = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Response answer = answers.get(i);
            switch (i % 4) {
                case 0, 1 -> jtis.add(jtiOf(answer.then().statusCode(200).extract().path("access_token")));
                case 2 -> refused(answer, "invalid_grant", "no trust policy of this org matches");
                default -> {
                    if (i % 8 == 3) {
                        refused(answer, "invalid_target", "audience");
                    } else {
                        refused(answer, "invalid_scope", "wider");
                    }
                }
            }
        }
        assertThat(jtis).doesNotHaveDuplicates().hasSize(count / 2);
        // Each token's row and its token:exchanged committed (together, or neither).
        try (EventTap tap = new EventTap()) {
            await().atMost(Duration.ofSeconds(60)).until(() -> jtis.stream().allMatch(jti -> !tap.onceAbout(jti).isEmpty()));
            for (String jti : jtis) {
                assertThat(tap.onceAbout(jti)).singleElement()
                        .satisfies(r -> assertThat(r.event().type()).isEqualTo(EventType.TOKEN_EXCHANGED));
            }
        }
        for (String jti : jtis) {
            given().header("Authorization", "Bearer " + org.adminKey()).delete("/v1/tokens/" + jti).then().statusCode(200)
                    .body("id", equalTo(jti)).body("revoked", equalTo(true));
        }
    }

    @Test
    void anExchangeStartedAfterItsPolicyWasDeletedIsRefusedWhileOthersAreInFlight() throws Exception {
        TestOrgs.Org org = orgs.create();
        String sub = (String) CiPlatform.claimsOf(ci.jobToken()).get("sub");
        String tp = createPolicy(org, policy("*", Map.of(), Map.of("repos:acme/*", List.of("git:read")), null)).statusCode(201)
                .extract().path("id");
        long now = Instant.now().getEpochSecond();
        String job = ci.sign(claims(sub, now - 10, now + 300), AlgorithmIdentifiers.RSA_USING_SHA256, ci.kid());

        record Attempt(long startedAt, int status, String error) {
        }
        // Read while the clients add to it: a queue whose iteration tolerates that (a synchronized list's stream does not).
        java.util.Queue<Attempt> attempts = new java.util.concurrent.ConcurrentLinkedQueue<>();
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService clients = Executors.newFixedThreadPool(8);
        long deleted;
        try {
            for (int c = 0; c < 8; c++) {
                clients.submit(() -> {
                    while (!stop.get()) {
                        long startedAt = System.nanoTime();
                        Response answer = exchange(job, org.id(), null, null);
                        attempts.add(new Attempt(startedAt, answer.statusCode(), answer.path("error")));
                    }
                    return null;
                });
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> attempts.stream().filter(a -> a.status() == 200).count() >= 20);
            given().header("Authorization", "Bearer " + org.adminKey()).delete("/v1/orgs/" + org.id() + "/trust-policies/" + tp)
                    .then().statusCode(200);
            deleted = System.nanoTime();
            await().atMost(Duration.ofSeconds(60)).until(() -> attempts.stream().filter(a -> a.startedAt() > deleted).count() >= 40);
        } finally {
            stop.set(true);
            clients.shutdown();
            assertThat(clients.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
        }
        // Every exchange that began after the deletion had returned was refused: none was answered from an older read.
        assertThat(List.copyOf(attempts)).filteredOn(a -> a.startedAt() > deleted).hasSizeGreaterThanOrEqualTo(40)
                .allSatisfy(a -> assertThat(a.status() + " " + a.error()).isEqualTo("400 invalid_grant"));
    }

    /** Runs the calls at once from as many threads; their answers in order. */
    private static <T> List<T> concurrently(List<Callable<T>> calls) throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(calls.size());
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<T>> running = new ArrayList<>();
            for (Callable<T> call : calls) {
                running.add(threads.submit(() -> {
                    start.await();
                    return call.call();
                }));
            }
            start.countDown();
            List<T> answers = new ArrayList<>();
            for (Future<T> answer : running) {
                answers.add(answer.get(120, TimeUnit.SECONDS));
            }
            return answers;
        } finally {
            threads.shutdownNow();
        }
    }

    private static ValidatableResponse rules(TestOrgs.Org org) {
        return given().header("X-Keyward-Internal", TestOrgs.INTERNAL_SECRET).get("/internal/orgs/rules").then().statusCode(200)
                .rootPath("orgs.'" + org.id() + "'");
    }

    private static String jtiOf(String jwt) {
        return (String) CiPlatform.claimsOf(jwt).get("jti");
    }

    private static Map<String, Object> claims(String sub, long iat, long exp) {
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", ci.issuer());
        claims.put("sub", sub);
        claims.put("aud", CiPlatform.AUDIENCE);
        claims.put("iat", iat);
        claims.put("nbf", iat);
        claims.put("exp", exp);
        claims.put("repository", CiPlatform.REPOSITORY);
        return claims;
    }

    private static Map<String, Object> policy(String subject, Map<String, String> claims, Map<String, List<String>> scopes,
                                              Long maxTtl) {
        Map<String, Object> body = new HashMap<>();
        body.put("name", "ci " + subject);
        body.put("issuer", ci.issuer());
        body.put("audience", CiPlatform.AUDIENCE);
        body.put("subject", subject);
        body.put("claims", claims);
        body.put("scopes", scopes);
        if (maxTtl != null) {
            body.put("max_ttl", maxTtl);
        }
        return body;
    }

    private static ValidatableResponse createPolicy(TestOrgs.Org org, Map<String, Object> body) {
        return given().header("Authorization", "Bearer " + org.adminKey()).contentType(ContentType.JSON).body(body)
                .post("/v1/orgs/" + org.id() + "/trust-policies").then();
    }

    private static Response exchange(String subjectToken, String org, String scope, String ttl) {
        var request = given().contentType(ContentType.URLENC).formParam("grant_type", TOKEN_EXCHANGE)
                .formParam("subject_token", subjectToken).formParam("subject_token_type", JWT).formParam("audience", org);
        if (scope != null) {
            request.formParam("scope", scope);
        }
        if (ttl != null) {
            request.formParam("requested_ttl", ttl);
        }
        return request.post("/v1/token-exchange");
    }

    private static void refused(Response response, String error, String descriptionPart) {
        response.then().statusCode(400).body("error", equalTo(error))
                .body("error_description", containsString(descriptionPart));
    }

    private static org.hamcrest.Matcher<String> containsStringStart(String prefix) {
        return org.hamcrest.Matchers.startsWith(prefix);
    }
}
