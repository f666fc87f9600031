package dev.keyward.verification;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyward.contract.Permission;
import dev.keyward.contract.RefusalReason;
import dev.keyward.contract.TokenKind;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
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

class JwtVerifierTest {

    private static PublicJsonWebKey ecKey;
    private static PublicJsonWebKey rsaKey;
    private static PublicJsonWebKey otherEcKey;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T10:00:00Z"));
    private final KeyStore keyStore = new KeyStore();
    private TokenVerifier verifier;

    /** An org key registry in memory, counting how often it is asked. */
    static final class KeyStore implements OrgKeySource {
        final Map<String, List<Map<String, Object>>> byOrg = new ConcurrentHashMap<>();
        final AtomicInteger fetches = new AtomicInteger();

        @Override
        public CompletionStage<List<Map<String, Object>>> keys(String org) {
            fetches.incrementAndGet();
            return CompletableFuture.completedFuture(byOrg.getOrDefault(org, List.of()));
        }

        void register(String org, PublicJsonWebKey key) {
            byOrg.computeIfAbsent(org, o -> new ArrayList<>()).add(key.toParams(JsonWebKey.OutputControlLevel.PUBLIC_ONLY));
        }
    }

    @BeforeAll
    static void keys() throws Exception {
        ecKey = EcJwkGenerator.generateJwk(EllipticCurves.P256);
        ecKey.setKeyId("ec-1");
        ecKey.setAlgorithm(AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256);
        rsaKey = RsaJwkGenerator.generateJwk(2048);
        rsaKey.setKeyId("rsa-1");
        otherEcKey = EcJwkGenerator.generateJwk(EllipticCurves.P256);
        otherEcKey.setKeyId("ec-1");
    }

    @BeforeEach
    void setUp() {
        keyStore.register("acme", ecKey);
        keyStore.register("acme", rsaKey);
        verifier = VerifierSettings.defaults().build(key -> CompletableFuture.failedFuture(new IllegalStateException("no API keys here")),
                keyStore, clock);
    }

    private JwtClaims claims(Consumer<JwtClaims> change) {
        return claims(clock.instant(), change);
    }

    /** Valid claims of a repo-scoped acme JWT issued at {@code now}, changed by {@code change}. */
    static JwtClaims claims(Instant now, Consumer<JwtClaims> change) {
        JwtClaims c = new JwtClaims();
        c.setIssuer("acme");
        c.setSubject("ci-bot");
        c.setClaim("repo", "team/app");
        c.setStringListClaim("scopes", "git:read", "git:write");
        c.setIssuedAt(NumericDate.fromSeconds(now.getEpochSecond()));
        c.setExpirationTime(NumericDate.fromSeconds(now.plusSeconds(600).getEpochSecond()));
        c.setJwtId("run-42");
        change.accept(c);
        return c;
    }

    static String sign(PublicJsonWebKey key, String alg, String kid, JwtClaims claims) throws Exception {
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setAlgorithmHeaderValue(alg);
        jws.setKeyIdHeaderValue(kid);
        jws.setHeader("typ", "JWT");
        jws.setKey(key.getPrivateKey());
        return jws.getCompactSerialization();
    }

    private Verification verify(String token) {
        return verifier.verify(token, "10.0.0.1").toCompletableFuture().join();
    }

    private RefusalReason refusal(String token) {
        Verification v = verify(token);
        assertThat(v).isInstanceOf(Verification.Refused.class);
        return ((Verification.Refused) v).reason();
    }

    @Test
    void aJwtMayLiveNoLongerThanItsOrgsMaxJwtLifetime() throws Exception {
        long day = 86_400;
        assertThat(verify(sign(ecKey, "ES256", "ec-1", claims(c -> c.setExpirationTime(
                NumericDate.fromSeconds(clock.instant().getEpochSecond() + day)))))).isInstanceOf(Verification.Verified.class);
        Verification tooLong = verify(sign(ecKey, "ES256", "ec-1", claims(c -> c.setExpirationTime(
                NumericDate.fromSeconds(clock.instant().getEpochSecond() + day + 1)))));
        assertThat(((Verification.Refused) tooLong).reason()).isEqualTo(RefusalReason.INVALID_CLAIMS);
        assertThat(((Verification.Refused) tooLong).message()).contains("max_jwt_lifetime");
    }

    @Test
    void es256AndRs256TokensBecomeRepoScopedPrincipals() throws Exception {
        Verification es = verify(sign(ecKey, "ES256", "ec-1", claims(c -> { })));
        assertThat(es).isInstanceOf(Verification.Verified.class);
        VerifiedPrincipal p = ((Verification.Verified) es).principal();
        assertThat(p.org()).isEqualTo("acme");
        assertThat(p.subject()).isEqualTo("ci-bot");
        assertThat(p.tokenId()).isEqualTo("jwt:acme:ec-1:run-42");
        assertThat(p.kind()).isEqualTo(TokenKind.REPO);
        assertThat(p.form()).isEqualTo(CredentialForm.CUSTOMER_JWT);
        assertThat(p.keyPrefix()).isNull();
        assertThat(p.expiresAt()).isEqualTo(clock.instant().plusSeconds(600));
        assertThat(p.allowsRepo(Permission.GIT_WRITE, "team/app")).isTrue();
        assertThat(p.allowsRepo(Permission.GIT_READ, "team/other")).isFalse();
        assertThat(p.allowsOrg(Permission.ORG_READ)).isFalse();

        Verification rs = verify(sign(rsaKey, "RS256", "rsa-1", claims(c -> c.setStringListClaim("scopes", "read"))));
        assertThat(rs).isInstanceOf(Verification.Verified.class);
        VerifiedPrincipal r = ((Verification.Verified) rs).principal();
        assertThat(r.allowsRepo(Permission.GIT_READ, "team/app")).isTrue();
        assertThat(r.allowsRepo(Permission.GIT_WRITE, "team/app")).isFalse();
    }

    @Test
    void withoutRepoOnlyOrgReadIsAllowed() throws Exception {
        Verification ok = verify(sign(ecKey, "ES256", "ec-1", claims(c -> {
            c.unsetClaim("repo");
            c.setStringListClaim("scopes", "org:read");
        })));
        VerifiedPrincipal p = ((Verification.Verified) ok).principal();
        assertThat(p.kind()).isEqualTo(TokenKind.ORG);
        assertThat(p.allowsOrg(Permission.ORG_READ)).isTrue();
        assertThat(p.allowsOrg(Permission.TOKEN_WRITE)).isFalse();
        assertThat(p.allowsRepo(Permission.GIT_READ, "any")).isFalse();

        assertThat(refusal(sign(ecKey, "ES256", "ec-1", claims(c -> {
            c.unsetClaim("repo");
            c.setStringListClaim("scopes", "org:read", "token:write");
        })))).isEqualTo(RefusalReason.INVALID_CLAIMS);
        assertThat(refusal(sign(ecKey, "ES256", "ec-1", claims(c -> {
            c.unsetClaim("repo");
            c.setStringListClaim("scopes", "org:read", "repo:write");
        })))).isEqualTo(RefusalReason.INVALID_CLAIMS);
        assertThat(refusal(sign(ecKey, "ES256", "ec-1", claims(c -> c.setStringListClaim("scopes", "git:admin")))))
                .isEqualTo(RefusalReason.INVALID_CLAIMS);
        assertThat(refusal(sign(ecKey, "ES256", "ec-1", claims(c -> c.setClaim("repo", "../etc")))))
                .isEqualTo(RefusalReason.INVALID_CLAIMS);
        assertThat(refusal(sign(ecKey, "ES256", "ec-1", claims(c -> c.unsetClaim("sub")))))
                .isEqualTo(RefusalReason.INVALID_CLAIMS);
        assertThat(refusal(sign(ecKey, "ES256", "ec-1", claims(c -> c.unsetClaim("exp")))))
                .isEqualTo(RefusalReason.INVALID_CLAIMS);
    }

    /** SPEC: a JWT whose {@code repo} names a repository and whose scopes hold repo:write may create and delete that one. */
    @Test
    void aRepoJwtWithRepoWriteReachesOnlyItsOwnRepository() throws Exception {
        VerifiedPrincipal p = ((Verification.Verified) verify(sign(ecKey, "ES256", "ec-1",
                claims(c -> c.setStringListClaim("scopes", "repo:write", "git:write"))))).principal();
        assertThat(p.kind()).isEqualTo(TokenKind.REPO);
        assertThat(p.scopes().toWire()).isEqualTo(Map.of("repos:team/app", List.of("git:write", "repo:write")));
        assertThat(p.allowsRepo(Permission.REPO_WRITE, "team/app")).isTrue();
        assertThat(p.allowsRepo(Permission.GIT_READ, "team/app")).isTrue();
        assertThat(p.allowsRepo(Permission.REPO_WRITE, "team/other")).isFalse();
        assertThat(p.allowsRepo(Permission.REPO_WRITE, "team/app/nested")).isFalse();
        for (Permission org : Permission.values()) {
            assertThat(p.allowsOrg(org)).as(org.wireName()).isFalse();
        }

        // Alone it is repo:write only: no git access comes with it.
        VerifiedPrincipal creator = ((Verification.Verified) verify(sign(ecKey, "ES256", "ec-1",
                claims(c -> c.setStringListClaim("scopes", "repo:write"))))).principal();
        assertThat(creator.allowsRepo(Permission.REPO_WRITE, "team/app")).isTrue();
        assertThat(creator.allowsRepo(Permission.GIT_READ, "team/app")).isFalse();

        // Org-wide (no repo): still only org:read, never repo:write.
        assertThat(refusal(sign(ecKey, "ES256", "ec-1", claims(c -> {
            c.unsetClaim("repo");
            c.setStringListClaim("scopes", "repo:write");
        })))).isEqualTo(RefusalReason.INVALID_CLAIMS);
        assertThat(JwtVerifier.scopesOf(null, List.of("repo:write"))).isEmpty();
        // repo names one repository, never a pattern that would reach others.
        for (String pattern : List.of("*", "team/*")) {
            assertThat(refusal(sign(ecKey, "ES256", "ec-1", claims(c -> {
                c.setClaim("repo", pattern);
                c.setStringListClaim("scopes", "repo:write");
            })))).as(pattern).isEqualTo(RefusalReason.INVALID_CLAIMS);
            assertThat(JwtVerifier.scopesOf(pattern, List.of("repo:write"))).as(pattern).isEmpty();
        }
    }

    @Test
    void noneHmacAndUnlistedAlgorithmsAreForbidden() throws Exception {
        String payload = b64(claims(c -> { }).toJson());
        String none = b64("{\"alg\":\"none\",\"typ\":\"JWT\",\"kid\":\"ec-1\"}") + "." + payload + ".";
        assertThat(refusal(none)).isEqualTo(RefusalReason.FORBIDDEN_ALG);

        // The classic confusion attack: the public key's bytes as an HMAC secret.
        JsonWebSignature hs = new JsonWebSignature();
        hs.setPayload(claims(c -> { }).toJson());
        hs.setAlgorithmHeaderValue(AlgorithmIdentifiers.HMAC_SHA256);
        hs.setKeyIdHeaderValue("ec-1");
        hs.setHeader("typ", "JWT");
        hs.setKey(new HmacKey(ecKey.getPublicKey().getEncoded()));
        assertThat(refusal(hs.getCompactSerialization())).isEqualTo(RefusalReason.FORBIDDEN_ALG);

        assertThat(refusal(sign(ecKey, "ES256", "ec-1", claims(c -> { })).replaceFirst("^[^.]+",
                b64("{\"alg\":\"PS256\",\"typ\":\"JWT\",\"kid\":\"rsa-1\"}")))).isEqualTo(RefusalReason.FORBIDDEN_ALG);
        // An RS256 header on the EC key's kid: the JWK says ES256.
        assertThat(refusal(sign(rsaKey, "RS256", "ec-1", claims(c -> { })))).isEqualTo(RefusalReason.FORBIDDEN_ALG);
        assertThat(keyStore.fetches.get()).isEqualTo(1);
    }

    @Test
    void forgedAndTamperedSignaturesFail() throws Exception {
        assertThat(refusal(sign(otherEcKey, "ES256", "ec-1", claims(c -> { })))).isEqualTo(RefusalReason.BAD_SIGNATURE);
        String good = sign(ecKey, "ES256", "ec-1", claims(c -> { }));
        String[] parts = good.split("\\.");
        String widened = parts[0] + "." + b64(claims(c -> c.setClaim("repo", "other/x")).toJson()) + "." + parts[2];
        assertThat(refusal(widened)).isEqualTo(RefusalReason.BAD_SIGNATURE);
        assertThat(refusal("not.a.jwt")).isEqualTo(RefusalReason.MALFORMED);
        assertThat(refusal("abc")).isEqualTo(RefusalReason.MALFORMED);
    }

    @Test
    void timeRulesAllowSixtySecondsOfSkew() throws Exception {
        Instant now = clock.instant();
        assertThat(verify(sign(ecKey, "ES256", "ec-1", claims(c -> c.setExpirationTime(NumericDate.fromSeconds(now.getEpochSecond() - 30))))))
                .isInstanceOf(Verification.Verified.class);
        assertThat(refusal(sign(ecKey, "ES256", "ec-1", claims(c -> c.setExpirationTime(NumericDate.fromSeconds(now.getEpochSecond() - 61))))))
                .isEqualTo(RefusalReason.EXPIRED);
        assertThat(verify(sign(ecKey, "ES256", "ec-1", claims(c -> c.setIssuedAt(NumericDate.fromSeconds(now.getEpochSecond() + 50))))))
                .isInstanceOf(Verification.Verified.class);
        assertThat(refusal(sign(ecKey, "ES256", "ec-1", claims(c -> c.setIssuedAt(NumericDate.fromSeconds(now.getEpochSecond() + 120))))))
                .isEqualTo(RefusalReason.NOT_YET_VALID);
        assertThat(refusal(sign(ecKey, "ES256", "ec-1", claims(c -> c.setNotBefore(NumericDate.fromSeconds(now.getEpochSecond() + 120))))))
                .isEqualTo(RefusalReason.NOT_YET_VALID);
    }

    @Test
    void unknownKidRefreshesOncePerIntervalAndThenFindsNewKeys() throws Exception {
        PublicJsonWebKey later = EcJwkGenerator.generateJwk(EllipticCurves.P256);
        later.setKeyId("ec-2");
        String token = sign(later, "ES256", "ec-2", claims(c -> { }));

        assertThat(refusal(token)).isEqualTo(RefusalReason.UNKNOWN_KID);
        assertThat(keyStore.fetches.get()).isEqualTo(1);
        assertThat(refusal(token)).isEqualTo(RefusalReason.UNKNOWN_KID);
        assertThat(refusal(sign(later, "ES256", "ec-9", claims(c -> { })))).isEqualTo(RefusalReason.UNKNOWN_KID);
        assertThat(keyStore.fetches.get()).as("rate-limited per org").isEqualTo(1);

        keyStore.register("acme", later);
        clock.advance(Duration.ofSeconds(11));
        assertThat(verify(token)).isInstanceOf(Verification.Verified.class);
        assertThat(keyStore.fetches.get()).isEqualTo(2);
        assertThat(refusal(sign(ecKey, "ES256", "ec-1", claims(c -> c.setIssuer("globex"))))).isEqualTo(RefusalReason.UNKNOWN_KID);
    }

    @Test
    void verifiedTokensAreCachedButNeverBeyondExpiry() throws Exception {
        String token = sign(ecKey, "ES256", "ec-1", claims(c -> c.setExpirationTime(NumericDate.fromSeconds(clock.instant().getEpochSecond() + 10))));
        assertThat(verify(token)).isInstanceOf(Verification.Verified.class);
        keyStore.byOrg.clear();
        clock.advance(Duration.ofMinutes(6)); // org keys are stale now, and gone at the source
        // The cache entry ended at exp (10 s): this re-verifies, refetches the keys and finds none.
        assertThat(refusal(token)).isEqualTo(RefusalReason.UNKNOWN_KID);

        keyStore.register("acme", ecKey);
        clock.advance(Duration.ofSeconds(11)); // past the unknown-kid refresh limit
        String longLived = sign(ecKey, "ES256", "ec-1", claims(c -> c.setExpirationTime(NumericDate.fromSeconds(clock.instant().getEpochSecond() + 3600))));
        assertThat(verify(longLived)).isInstanceOf(Verification.Verified.class);
        int fetches = keyStore.fetches.get();
        keyStore.byOrg.clear();
        clock.advance(Duration.ofSeconds(20));
        assertThat(verify(longLived)).as("within jwt-cache-ttl: no key lookup, no signature check").isInstanceOf(Verification.Verified.class);
        assertThat(keyStore.fetches.get()).isEqualTo(fetches);
    }

    private static String b64(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }
}
