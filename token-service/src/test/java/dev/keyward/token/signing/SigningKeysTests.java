package dev.keyward.token.signing;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.keyward.contract.ExchangedToken;
import dev.keyward.contract.Scopes;
import dev.keyward.testsupport.KafkaTestResource;
import dev.keyward.testsupport.PostgresTestResource;
import dev.keyward.token.TestOrgs;
import dev.keyward.token.jobs.MutableClock;
import dev.keyward.token.repository.SigningKeyEntity;
import dev.keyward.token.repository.SigningKeyRepository;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.vertx.VertxContextSupport;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import java.security.interfaces.ECPrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jose4j.json.JsonUtil;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Keyward's signing keys against the real database: the first key made once however many callers
 * race, tokens that verify with the published JWKS alone, the private key sealed at rest, and
 * rotation that keeps a retired key published exactly as long as its tokens can live.
 *
 * <p>The JWKS is empty until the first signature (no key is made in advance). To see that, and the
 * race on an empty table, this class runs on a schema of its own (a profile, so one restart) and in
 * order: the first test finds no key.
 */
@QuarkusTest
@TestProfile(SigningKeysTests.OwnSchema.class)
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "keyward_token"))
@QuarkusTestResource(KafkaTestResource.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SigningKeysTests {

    /** A fresh schema per run, so the table starts empty even on a reused external server. */
    public static class OwnSchema implements QuarkusTestProfile {
        static final String SCHEMA = "token_signing_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.flyway.schemas", SCHEMA,
                    "quarkus.flyway.default-schema", SCHEMA,
                    "quarkus.hibernate-orm.database.default-schema", SCHEMA,
                    "quarkus.datasource.reactive.additional-properties.search_path", SCHEMA,
                    "quarkus.datasource.jdbc.additional-jdbc-properties.currentSchema", SCHEMA);
        }
    }

    @Inject
    SigningKeys keys;

    @Inject
    ExchangedTokenSigner signer;

    @Inject
    SigningKeyRepository repository;

    @Inject
    MutableClock clock;

    @AfterEach
    void resetClock() {
        clock.reset();
    }

    @Test
    @Order(1)
    void theFirstKeyIsMadeOnceHoweverManyCallersRaceForIt() throws Exception {
        assertThat(rows()).isEmpty();
        assertThat(jwks().getList("keys")).isEmpty();

        int callers = 8;
        ExecutorService threads = Executors.newFixedThreadPool(callers);
        Set<String> kids = new HashSet<>();
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<SigningKey>> calls = new ArrayList<>();
            for (int i = 0; i < callers; i++) {
                calls.add(threads.submit(() -> {
                    start.await();
                    return await(keys::current);
                }));
            }
            start.countDown();
            for (Future<SigningKey> call : calls) {
                kids.add(call.get(60, TimeUnit.SECONDS).kid());
            }
        } finally {
            threads.shutdownNow();
        }

        assertThat(kids).hasSize(1);
        assertThat(rows()).extracting(row -> row.kid).containsExactlyElementsOf(kids);
        assertThat(kids.iterator().next()).matches("kw-\\d{8}-[0-9A-Za-z]{8}");
    }

    @Test
    @Order(2)
    void aSignedTokenVerifiesWithThePublishedKeyAndCarriesExactlyItsClaims() throws Exception {
        ExchangedToken token = token();
        String jwt = await(() -> signer.sign(token));
        SigningKey current = await(keys::current);

        Response response = given().get("/.well-known/jwks.json").then().statusCode(200).extract().response();
        assertThat(response.header("Cache-Control")).isEqualTo("public, max-age=60");
        JsonWebKeySet published = new JsonWebKeySet(response.asString());
        assertThat(published.getJsonWebKeys()).hasSize(1);
        Map<String, Object> jwk = response.jsonPath().getMap("keys[0]");
        assertThat(jwk).containsOnlyKeys("kty", "crv", "x", "y", "kid", "alg", "use")
                .containsEntry("kty", "EC").containsEntry("crv", "P-256").containsEntry("kid", current.kid())
                .containsEntry("alg", "ES256").containsEntry("use", "sig");

        JsonWebSignature jws = verified(jwt, published);
        assertThat(JsonUtil.parseJson(jws.getHeaders().getFullHeaderAsJsonString())).containsOnlyKeys("alg", "typ", "kid");
        assertThat(jws.getHeader("typ")).isEqualTo("JWT");
        assertThat(jws.getAlgorithmHeaderValue()).isEqualTo("ES256");
        assertThat(jws.getKeyIdHeaderValue()).isEqualTo(current.kid());
        Map<String, Object> claims = JwtClaims.parse(jws.getPayload()).getClaimsMap();
        assertThat(claims).isEqualTo(token.toClaims());
        assertThat(ExchangedToken.fromClaims(claims)).isEqualTo(token);
    }

    @Test
    @Order(3)
    void theStoredPrivateKeyIsSealed() {
        SigningKey current = await(keys::current);
        SigningKeyEntity row = await(() -> Panache.withSession(() -> repository.findById(current.kid())));
        byte[] pkcs8 = current.privateKey().getEncoded();
        byte[] scalar = unsigned32(((ECPrivateKey) current.privateKey()).getS().toByteArray());

        assertThat(row.privateKey).hasSize(12 + pkcs8.length + 16);
        assertThat(KeyCipherTest.contains(row.privateKey, pkcs8)).isFalse();
        assertThat(KeyCipherTest.contains(row.privateKey, java.util.Arrays.copyOf(scalar, 16))).isFalse();
        assertThat(row.publicJwk).doesNotContainKey("d");
        assertThat(current).hasToString("SigningKey[kid=" + current.kid() + ", createdAt=" + current.createdAt() + "]");
    }

    @Test
    @Order(4)
    void rotationSignsWithANewKeyAndPublishesTheOldOneUntilItsTokensHaveExpired() throws Exception {
        SigningKey first = await(keys::current);
        String oldJwt = await(() -> signer.sign(token()));

        // Not due yet: nothing changes.
        JsonPath early = runJob();
        assertThat(early.getLong("counts.created")).isZero();
        assertThat(early.getLong("counts.retired")).isZero();

        clock.advance(Duration.ofDays(30).plusMinutes(1));
        JsonPath rotated = runJob();
        assertThat(rotated.getBoolean("ran")).isTrue();
        assertThat(rotated.getLong("counts.created")).isEqualTo(1);
        assertThat(rotated.getLong("counts.retired")).isEqualTo(1);
        Instant retiredAt = clock.instant();

        String newJwt = await(() -> signer.sign(token()));
        JsonWebKeySet both = publishedSet();
        String newKid = verified(newJwt, both).getKeyIdHeaderValue();
        assertThat(newKid).isNotEqualTo(first.kid());
        assertThat(kids(both)).containsExactlyInAnyOrder(first.kid(), newKid);
        assertThat(verified(oldJwt, both).getKeyIdHeaderValue()).isEqualTo(first.kid());
        SigningKeyEntity old = await(() -> Panache.withSession(() -> repository.findById(first.kid())));
        // max TTL 3600 s + 60 s verifier skew + 2 min for the other replicas' cached key
        assertThat(Duration.between(old.retiredAt, old.publishUntil)).isEqualTo(Duration.ofSeconds(3600 + 60 + 120));
        assertThat(old.retiredAt).isBetween(retiredAt.minusSeconds(120), retiredAt);

        // Rerunning rotates nothing: the new key is young.
        assertThat(runJob().getLong("counts.created")).isZero();

        // Past publish_until the old key leaves the JWKS; a day later its row goes.
        clock.advance(Duration.between(clock.instant(), old.publishUntil).plusSeconds(1));
        assertThat(kids(publishedSet())).containsExactly(newKid);
        assertThat(runJob().getLong("counts.deleted")).isZero();
        assertThat(rows()).hasSize(2);
        clock.advance(Duration.ofDays(1).plusSeconds(1));
        assertThat(runJob().getLong("counts.deleted")).isEqualTo(1);
        assertThat(rows()).extracting(row -> row.kid).containsExactly(newKid);
        assertThat(await(() -> signer.sign(token()))).isNotNull();
        assertThat(verified(await(() -> signer.sign(token())), publishedSet()).getKeyIdHeaderValue())
                .isEqualTo(newKid);
    }

    private static ExchangedToken token() {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        return new ExchangedToken(ExchangedToken.DEFAULT_ISSUER, "repo:acme/app:ref:refs/heads/main", "acme",
                Scopes.parse(Map.of("repos:acme/app", List.of("git:read", "git:write"))), ExchangedToken.newTrustPolicyId(),
                ExchangedToken.newJti(), now, now.plusSeconds(900));
    }

    /** The JWS, its signature checked against the key the set publishes under its kid (ES256 only). */
    private static JsonWebSignature verified(String jwt, JsonWebKeySet set) throws Exception {
        JsonWebSignature jws = new JsonWebSignature();
        jws.setAlgorithmConstraints(new AlgorithmConstraints(AlgorithmConstraints.ConstraintType.PERMIT,
                AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256));
        jws.setCompactSerialization(jwt);
        List<JsonWebKey> matching = set.findJsonWebKeys(jws.getKeyIdHeaderValue(), "EC", "sig", "ES256");
        assertThat(matching).as("published key %s", jws.getKeyIdHeaderValue()).hasSize(1);
        jws.setKey(matching.get(0).getKey());
        assertThat(jws.verifySignature()).isTrue();
        return jws;
    }

    private static List<String> kids(JsonWebKeySet set) {
        return set.getJsonWebKeys().stream().map(JsonWebKey::getKeyId).toList();
    }

    private static JsonWebKeySet publishedSet() throws Exception {
        return new JsonWebKeySet(given().get("/.well-known/jwks.json").then().statusCode(200).extract().asString());
    }

    private static JsonPath jwks() {
        return given().get("/.well-known/jwks.json").then().statusCode(200).extract().jsonPath();
    }

    private static JsonPath runJob() {
        return given().header("X-Keyward-Internal", TestOrgs.INTERNAL_SECRET).post("/internal/jobs/signing-keys/run")
                .then().statusCode(200).extract().jsonPath();
    }

    private List<SigningKeyEntity> rows() {
        return await(() -> Panache.withSession(() -> repository.listAll()));
    }

    private static <T> T await(Supplier<Uni<T>> work) {
        try {
            return VertxContextSupport.subscribeAndAwait(work);
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] unsigned32(byte[] raw) {
        byte[] fixed = new byte[32];
        int length = Math.min(raw.length, 32);
        System.arraycopy(raw, raw.length - length, fixed, 32 - length, length);
        return fixed;
    }
}
