package dev.keyward.verification;

import static dev.keyward.verification.JwtVerifierTest.sign;
import static org.assertj.core.api.Assertions.assertThat;

import dev.keyward.contract.ExchangedToken;
import dev.keyward.contract.OrgRules;
import dev.keyward.contract.Permission;
import dev.keyward.contract.RefusalReason;
import dev.keyward.contract.Scopes;
import dev.keyward.contract.TokenKind;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jwk.EcJwkGenerator;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.PublicJsonWebKey;
import org.jose4j.jwk.RsaJwkGenerator;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.keys.EllipticCurves;
import org.jose4j.keys.HmacKey;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Tokens Keyward signed by token exchange, verified offline against its published keys, and their revocation. */
class ExchangedTokenVerificationTest {

    private static final String ISSUER = "http://127.0.0.1:18081";
    private static final String KID = "kw-1";
    private static final Scopes REPO_SCOPES = Scopes.parse(Map.of("repos:acme/app", List.of("git:read", "git:write")));

    private static PublicJsonWebKey keywardKey;
    private static PublicJsonWebKey otherKey;
    private static PublicJsonWebKey rsaKey;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T10:00:00Z"));
    /** Keyward's published keys, as the fake JWKS endpoint serves them, and how often it was asked. */
    private final List<Map<String, Object>> published = new CopyOnWriteArrayList<>();
    private final AtomicInteger fetches = new AtomicInteger();
    /** The full read of org rules never answers: only the changes the test makes count. */
    private final OrgRulesCache orgs = new OrgRulesCache(CompletableFuture::new);
    private final TokenVerifier verifier = new VerifierSettings(Duration.ofMillis(750), Duration.ofMillis(500),
            Duration.ofSeconds(30), Duration.ofSeconds(5), Duration.ofSeconds(1), 1_000).build(
            key -> CompletableFuture.failedFuture(new IllegalStateException("no API keys here")),
            org -> CompletableFuture.completedFuture(List.of()),
            () -> {
                fetches.incrementAndGet();
                return CompletableFuture.completedFuture(List.copyOf(published));
            },
            ISSUER, clock, RequestRateLimiter.unlimited(), orgs);

    @BeforeAll
    static void keys() throws Exception {
        keywardKey = EcJwkGenerator.generateJwk(EllipticCurves.P256);
        keywardKey.setKeyId(KID);
        keywardKey.setAlgorithm(ExchangedToken.ALGORITHM);
        otherKey = EcJwkGenerator.generateJwk(EllipticCurves.P256);
        otherKey.setKeyId(KID);
        rsaKey = RsaJwkGenerator.generateJwk(2048);
        rsaKey.setKeyId(KID);
    }

    private void publish(PublicJsonWebKey key) {
        published.add(key.toParams(JsonWebKey.OutputControlLevel.PUBLIC_ONLY));
    }

    /** The claims token exchange writes for a policy {@code tp} and token {@code jti}, valid for 10 minutes from now. */
    private JwtClaims claims(Scopes scopes, String tp, String jti, Consumer<JwtClaims> change) {
        Instant now = clock.instant();
        JwtClaims c = new JwtClaims();
        new ExchangedToken(ISSUER, "repo:acme/app:ref:refs/heads/main", "acme", scopes, tp, jti, now, now.plusSeconds(600))
                .toClaims().forEach(c::setClaim);
        change.accept(c);
        return c;
    }

    private JwtClaims claims(Consumer<JwtClaims> change) {
        return claims(REPO_SCOPES, "tp_policy1", "xtok_one", change);
    }

    private static String signed(JwtClaims claims) throws Exception {
        return sign(keywardKey, AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256, KID, claims);
    }

    private Verification verify(String token) {
        return verifier.verify(token, "10.0.0.1").toCompletableFuture().join();
    }

    private VerifiedPrincipal verified(String token) {
        Verification v = verify(token);
        assertThat(v).as("%s", v).isInstanceOf(Verification.Verified.class);
        return ((Verification.Verified) v).principal();
    }

    private Verification.Refused refused(String token) {
        Verification v = verify(token);
        assertThat(v).isInstanceOf(Verification.Refused.class);
        return (Verification.Refused) v;
    }

    @Test
    void aTokenKeywardSignedBecomesAnExchangedPrincipal() throws Exception {
        publish(keywardKey);
        VerifiedPrincipal p = verified(signed(claims(c -> { })));
        assertThat(p.org()).isEqualTo("acme");
        assertThat(p.subject()).isEqualTo("repo:acme/app:ref:refs/heads/main");
        assertThat(p.tokenId()).isEqualTo("xtok_one");
        assertThat(p.trustPolicy()).isEqualTo("tp_policy1");
        assertThat(p.kind()).as("git-only scopes on repositories").isEqualTo(TokenKind.REPO);
        assertThat(p.form()).isEqualTo(CredentialForm.EXCHANGED);
        assertThat(p.keyPrefix()).isNull();
        assertThat(p.allowedCidrs()).isEmpty();
        assertThat(p.expiresAt()).isEqualTo(clock.instant().plusSeconds(600));
        assertThat(p.allowsRepo(Permission.GIT_WRITE, "acme/app")).isTrue();
        assertThat(p.allowsRepo(Permission.GIT_READ, "acme/other")).isFalse();
        assertThat(p.allowsOrg(Permission.ORG_READ)).isFalse();

        Scopes orgWide = Scopes.parse(Map.of("repos:acme/*", List.of("git:read"), "org", List.of("org:read")));
        VerifiedPrincipal o = verified(signed(claims(orgWide, "tp_policy2", "xtok_two", c -> { })));
        assertThat(o.kind()).isEqualTo(TokenKind.ORG);
        assertThat(o.allowsOrg(Permission.ORG_READ)).isTrue();
        assertThat(o.trustPolicy()).isEqualTo("tp_policy2");
        assertThat(fetches).as("Keyward's keys are cached").hasValue(1);
    }

    @Test
    void theOrgsMaxJwtLifetimeDoesNotApply() throws Exception {
        publish(keywardKey);
        orgs.update("acme", r -> new OrgRules(r.state(), r.rateLimits(), 60, r.noticeDays()));
        assertThat(verified(signed(claims(c -> { }))).expiresAt()).isEqualTo(clock.instant().plusSeconds(600));
    }

    @Test
    void onlyEs256IsAccepted() throws Exception {
        publish(keywardKey);
        Verification.Refused rs = refused(sign(rsaKey, AlgorithmIdentifiers.RSA_USING_SHA256, KID, claims(c -> { })));
        assertThat(rs.reason()).isEqualTo(RefusalReason.FORBIDDEN_ALG);
        assertThat(rs.message()).contains("ES256");
        assertThat(rs.org()).isEqualTo("acme");

        JsonWebSignature hs = new JsonWebSignature();
        hs.setPayload(claims(c -> { }).toJson());
        hs.setAlgorithmHeaderValue(AlgorithmIdentifiers.HMAC_SHA256);
        hs.setKeyIdHeaderValue(KID);
        hs.setHeader("typ", "JWT");
        // The classic confusion: the public key's JSON as an HMAC secret.
        hs.setKey(new HmacKey(keywardKey.toJson().getBytes(StandardCharsets.UTF_8)));
        hs.setDoKeyValidation(false);
        assertThat(refused(hs.getCompactSerialization()).reason()).isEqualTo(RefusalReason.FORBIDDEN_ALG);

        JsonWebSignature none = new JsonWebSignature();
        none.setPayload(claims(c -> { }).toJson());
        none.setAlgorithmHeaderValue(AlgorithmIdentifiers.NONE);
        none.setKeyIdHeaderValue(KID);
        none.setHeader("typ", "JWT");
        none.setAlgorithmConstraints(AlgorithmConstraints.NO_CONSTRAINTS);
        assertThat(refused(none.getCompactSerialization()).reason()).isEqualTo(RefusalReason.FORBIDDEN_ALG);
        assertThat(fetches).as("refused before any key is looked up").hasValue(0);
    }

    @Test
    void anUnknownKidRefreshesTheKeysAtMostOncePerInterval() throws Exception {
        publish(keywardKey);
        verified(signed(claims(c -> { })));
        assertThat(fetches).hasValue(1);

        PublicJsonWebKey next = EcJwkGenerator.generateJwk(EllipticCurves.P256);
        next.setKeyId("kw-2");
        String rotated = sign(next, AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256, "kw-2", claims(c -> { }));
        clock.advance(Duration.ofSeconds(2));
        Verification.Refused unknown = refused(rotated);
        assertThat(unknown.reason()).isEqualTo(RefusalReason.UNKNOWN_KID);
        assertThat(fetches).as("one refresh on the unknown kid").hasValue(2);
        for (int i = 0; i < 5; i++) {
            assertThat(refused(rotated).reason()).isEqualTo(RefusalReason.UNKNOWN_KID);
            assertThat(refused(sign(next, AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256, "made-up-" + i,
                    claims(c -> { }))).reason()).isEqualTo(RefusalReason.UNKNOWN_KID);
        }
        assertThat(fetches).as("no more within the refresh interval").hasValue(2);

        // Keyward rotates to the new key: after the interval the next unknown kid finds it.
        publish(next);
        clock.advance(Duration.ofSeconds(2));
        assertThat(verified(rotated).tokenId()).isEqualTo("xtok_one");
        assertThat(fetches).hasValue(3);
    }

    @Test
    void expiryAndNotBeforeAllowSixtySecondsOfSkew() throws Exception {
        publish(keywardKey);
        long now = clock.instant().getEpochSecond();
        assertThat(verified(signed(claims(c -> {
            c.setClaim("iat", now - 630);
            c.setClaim("exp", now - 30);
        }))).tokenId()).isEqualTo("xtok_one");
        assertThat(refused(signed(claims(c -> {
            c.setClaim("iat", now - 661);
            c.setClaim("exp", now - 61);
        }))).reason()).isEqualTo(RefusalReason.EXPIRED);
        assertThat(refused(signed(claims(c -> c.setClaim("nbf", now + 120)))).reason()).isEqualTo(RefusalReason.NOT_YET_VALID);
        assertThat(refused(signed(claims(c -> c.setClaim("iat", now + 120)))).reason()).isEqualTo(RefusalReason.NOT_YET_VALID);
    }

    @Test
    void claimsTheExchangeAlwaysWritesAreRequired() throws Exception {
        publish(keywardKey);
        for (String claim : List.of("tp", "org", "jti", "sub", "scopes")) {
            Verification.Refused r = refused(signed(claims(c -> c.unsetClaim(claim))));
            assertThat(r.reason()).as(claim).isEqualTo(RefusalReason.INVALID_CLAIMS);
            assertThat(r.message()).as(claim).startsWith(claim);
        }
        assertThat(refused(signed(claims(c -> c.setClaim("jti", "tok_abc")))).message()).contains("xtok_");
        assertThat(refused(signed(claims(c -> c.setClaim("scopes", List.of("git:read"))))).reason())
                .isEqualTo(RefusalReason.INVALID_CLAIMS);
    }

    @Test
    void anotherIssuerTakesTheCustomerJwtPathAndIsRefusedThere() throws Exception {
        publish(keywardKey);
        Verification.Refused url = refused(signed(claims(c -> c.setIssuer("http://127.0.0.1:18082"))));
        assertThat(url.reason()).isEqualTo(RefusalReason.INVALID_CLAIMS);
        assertThat(url.message()).isEqualTo("JWT iss must be an org id");
        // An org's iss means an org's keys: Keyward's keys never verify a customer JWT.
        Verification.Refused org = refused(signed(claims(c -> c.setIssuer("acme"))));
        assertThat(org.reason()).isEqualTo(RefusalReason.UNKNOWN_KID);
        assertThat(fetches).hasValue(0);
    }

    @Test
    void aTokenSignedByAnotherKeyUnderTheSameKidIsRefused() throws Exception {
        publish(keywardKey);
        Verification.Refused forged = refused(sign(otherKey, AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256, KID,
                claims(c -> { })));
        assertThat(forged.reason()).isEqualTo(RefusalReason.BAD_SIGNATURE);
    }

    /**
     * Verifies {@code token}, then proves the next answer comes from the cache: Keyward's keys are
     * replaced by a stranger's under the same kid and the key cache has expired, so verifying again
     * from scratch would fail.
     */
    private void verifiedAndCached(String... tokens) {
        for (String token : tokens) {
            verified(token);
        }
        int before = fetches.get();
        published.clear();
        publish(otherKey);
        clock.advance(Duration.ofSeconds(6));
        for (String token : tokens) {
            verified(token);
        }
        assertThat(fetches).as("served from the verification cache").hasValue(before);
    }

    @Test
    void aRevokedJtiIsRefusedEvenFromTheCacheAndItsSiblingsStayValid() throws Exception {
        publish(keywardKey);
        String one = signed(claims(REPO_SCOPES, "tp_policy1", "xtok_one", c -> { }));
        String two = signed(claims(REPO_SCOPES, "tp_policy1", "xtok_two", c -> { }));
        verifiedAndCached(one, two);

        orgs.update("acme", r -> r.withRevokedToken("xtok_one"));
        Verification.Refused revoked = refused(one);
        assertThat(revoked.reason()).isEqualTo(RefusalReason.REVOKED);
        assertThat(revoked.message()).isEqualTo("the token was revoked");
        assertThat(revoked.org()).isEqualTo("acme");
        assertThat(revoked.tokenId()).isEqualTo("xtok_one");
        assertThat(revoked.keyPrefix()).isNull();
        assertThat(verified(two).tokenId()).as("another token of the same policy").isEqualTo("xtok_two");
    }

    @Test
    void aDeletedTrustPolicyRefusesEveryTokenItAllowed() throws Exception {
        publish(keywardKey);
        String one = signed(claims(REPO_SCOPES, "tp_policy1", "xtok_one", c -> { }));
        String two = signed(claims(REPO_SCOPES, "tp_policy1", "xtok_two", c -> { }));
        String other = signed(claims(REPO_SCOPES, "tp_policy2", "xtok_three", c -> { }));
        verifiedAndCached(one, two, other);

        orgs.update("acme", r -> r.withRevokedTrustPolicy("tp_policy1"));
        assertThat(refused(one).reason()).isEqualTo(RefusalReason.REVOKED);
        assertThat(refused(two).reason()).isEqualTo(RefusalReason.REVOKED);
        assertThat(verified(other).trustPolicy()).isEqualTo("tp_policy2");
    }

    @Test
    void aSuspendedOrgRefusesItsExchangedTokens() throws Exception {
        publish(keywardKey);
        String token = signed(claims(c -> { }));
        verified(token);
        orgs.stateChanged("acme", OrgRules.SUSPENDED);
        Verification.Refused r = refused(token);
        assertThat(r.reason()).isEqualTo(RefusalReason.ORG_SUSPENDED);
        assertThat(r.tokenId()).isEqualTo("xtok_one");
        orgs.stateChanged("acme", OrgRules.ACTIVE);
        verified(token);
    }

    @Test
    void anotherOrgsRevocationsDoNotTouchIt() throws Exception {
        publish(keywardKey);
        String token = signed(claims(c -> { }));
        orgs.update("globex", r -> r.withRevokedToken("xtok_one").withRevokedTrustPolicy("tp_policy1"));
        assertThat(verified(token).org()).isEqualTo("acme");
    }
}
