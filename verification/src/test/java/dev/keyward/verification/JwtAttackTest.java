package dev.keyward.verification;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyward.contract.RefusalReason;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.jose4j.jwk.EcJwkGenerator;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.PublicJsonWebKey;
import org.jose4j.jwk.RsaJwkGenerator;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.jose4j.keys.EllipticCurves;
import org.jose4j.keys.HmacKey;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Attacks on customer-signed JWTs beyond {@link JwtVerifierTest}: {@code kid} injection, keys the
 * token brings along ({@code jwk}, {@code jku}, {@code x5u}), another org's key, algorithm
 * confusion with the org's own RSA public key, and claims smuggled in odd types.
 */
class JwtAttackTest {

    private static PublicJsonWebKey acmeKey;
    private static PublicJsonWebKey acmeRsa;
    private static PublicJsonWebKey globexKey;
    private static PublicJsonWebKey attackerKey;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T10:00:00Z"));
    private final JwtVerifierTest.KeyStore keyStore = new JwtVerifierTest.KeyStore();
    private TokenVerifier verifier;

    @BeforeAll
    static void keys() throws Exception {
        acmeKey = EcJwkGenerator.generateJwk(EllipticCurves.P256);
        acmeKey.setKeyId("acme-1");
        acmeRsa = RsaJwkGenerator.generateJwk(2048);
        acmeRsa.setKeyId("acme-rsa");
        globexKey = EcJwkGenerator.generateJwk(EllipticCurves.P256);
        globexKey.setKeyId("globex-1");
        attackerKey = EcJwkGenerator.generateJwk(EllipticCurves.P256);
        attackerKey.setKeyId("acme-1");
    }

    @BeforeEach
    void setUp() {
        keyStore.register("acme", acmeKey);
        keyStore.register("acme", acmeRsa);
        keyStore.register("globex", globexKey);
        verifier = VerifierSettings.defaults().build(key -> CompletableFuture.failedFuture(new IllegalStateException("no API keys")),
                keyStore, clock);
    }

    private JwtClaims claims(Consumer<JwtClaims> change) {
        return JwtVerifierTest.claims(clock.instant(), change);
    }

    private static String sign(PublicJsonWebKey key, String kid, JwtClaims claims, Consumer<JsonWebSignature> headers) throws Exception {
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256);
        jws.setKeyIdHeaderValue(kid);
        jws.setHeader("typ", "JWT");
        jws.setKey(key.getPrivateKey());
        headers.accept(jws);
        return jws.getCompactSerialization();
    }

    private RefusalReason refusal(String token) {
        Verification v = verifier.verify(token, "10.0.0.1").toCompletableFuture().join();
        assertThat(v).as("must be refused").isInstanceOf(Verification.Refused.class);
        Verification.Refused r = (Verification.Refused) v;
        assertThat(r.message()).doesNotContain(token);
        return r.reason();
    }

    private static String b64(String s) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void kidInjectionFindsNoKey() throws Exception {
        for (String kid : List.of("../globex/globex-1", "globex-1", "acme-1' OR '1'='1", "acme-1\u0000", "*", "", "acme-1/../acme-1",
                "x".repeat(5000))) {
            assertThat(refusal(sign(acmeKey, kid, claims(c -> { }), h -> { }))).as(kid)
                    .isIn(RefusalReason.UNKNOWN_KID, RefusalReason.MALFORMED, RefusalReason.INVALID_CLAIMS);
        }
    }

    @Test
    void anotherOrgsKeyCannotSpeakForThisOrg() throws Exception {
        // Signed by globex with globex's registered key, claiming to be acme.
        assertThat(refusal(sign(globexKey, "globex-1", claims(c -> { }), h -> { }))).isEqualTo(RefusalReason.UNKNOWN_KID);
        // The attacker's key under acme's kid name.
        assertThat(refusal(sign(attackerKey, "acme-1", claims(c -> { }), h -> { }))).isEqualTo(RefusalReason.BAD_SIGNATURE);
    }

    @Test
    void keysCarriedInTheTokenAreNeverTrusted() throws Exception {
        String embedded = sign(attackerKey, "acme-1", claims(c -> { }), h -> h.setJwkHeader(attackerKey));
        assertThat(refusal(embedded)).isEqualTo(RefusalReason.BAD_SIGNATURE);
        String jku = sign(attackerKey, "acme-1", claims(c -> { }), h -> {
            h.setHeader("jku", "http://127.0.0.1:1/attacker-keys.json");
            h.setHeader("x5u", "http://127.0.0.1:1/attacker.pem");
        });
        assertThat(refusal(jku)).isEqualTo(RefusalReason.BAD_SIGNATURE);
    }

    @Test
    void hmacWithTheOrgsOwnRsaPublicKeyIsForbidden() throws Exception {
        for (byte[] secret : List.of(acmeRsa.getPublicKey().getEncoded(),
                acmeRsa.toJson(JsonWebKey.OutputControlLevel.PUBLIC_ONLY).getBytes(StandardCharsets.UTF_8))) {
            for (String alg : List.of(AlgorithmIdentifiers.HMAC_SHA256, AlgorithmIdentifiers.HMAC_SHA512)) {
                JsonWebSignature jws = new JsonWebSignature();
                jws.setPayload(claims(c -> { }).toJson());
                jws.setAlgorithmHeaderValue(alg);
                jws.setKeyIdHeaderValue("acme-rsa");
                jws.setHeader("typ", "JWT");
                jws.setKey(new HmacKey(secret));
                jws.setDoKeyValidation(false);
                assertThat(refusal(jws.getCompactSerialization())).isEqualTo(RefusalReason.FORBIDDEN_ALG);
            }
        }
        // alg "none" in any spelling.
        for (String none : List.of("none", "None", "NONE", "nOnE")) {
            String token = b64("{\"alg\":\"" + none + "\",\"typ\":\"JWT\",\"kid\":\"acme-1\"}") + "." + b64(claims(c -> { }).toJson()) + ".";
            assertThat(refusal(token)).isIn(RefusalReason.FORBIDDEN_ALG, RefusalReason.MALFORMED);
        }
    }

    @Test
    void claimsInOddShapesAreRefused() throws Exception {
        List<Consumer<JwtClaims>> odd = List.of(
                c -> c.setClaim("scopes", "git:write"),                            // a string, not an array
                c -> c.setClaim("scopes", List.of("git:read", List.of("git:write"))),
                c -> c.setStringListClaim("scopes", "org:read", "token:write"),   // control-plane permission
                c -> c.setClaim("repo", List.of("team/app", "other")),
                c -> c.setClaim("repo", "../other"),
                c -> c.setClaim("iss", List.of("acme")),
                c -> c.setClaim("exp", "tomorrow"),
                c -> c.setClaim("nbf", NumericDate.fromSeconds(clock.instant().plusSeconds(3600).getEpochSecond()).getValue()),
                c -> c.setExpirationTime(NumericDate.fromSeconds(clock.instant().minusSeconds(3600).getEpochSecond())));
        for (Consumer<JwtClaims> change : odd) {
            assertThat(refusal(sign(acmeKey, "acme-1", claims(change), h -> { })))
                    .isIn(RefusalReason.INVALID_CLAIMS, RefusalReason.MALFORMED, RefusalReason.EXPIRED, RefusalReason.NOT_YET_VALID,
                            RefusalReason.UNKNOWN_KID);
        }
        // The untouched token is accepted, so the refusals above are about the changes.
        Verification ok = verifier.verify(sign(acmeKey, "acme-1", claims(c -> { }), h -> { }), "10.0.0.1").toCompletableFuture().join();
        assertThat(ok).isInstanceOf(Verification.Verified.class);
    }
}
