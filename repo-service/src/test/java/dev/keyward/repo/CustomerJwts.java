package dev.keyward.repo;

import java.time.Instant;
import java.util.UUID;
import java.util.function.Consumer;
import org.jose4j.jwk.EcJwkGenerator;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.PublicJsonWebKey;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.jose4j.keys.EllipticCurves;
import org.jose4j.lang.JoseException;

/** JWTs as a customer signs them for org {@value TokenAuthority#ORG}: its own key, registered with Keyward. */
public final class CustomerJwts {

    private CustomerJwts() {
    }

    /** A new ES256 key pair whose public half {@code tokens} registers for the org. */
    public static PublicJsonWebKey registeredEs256Key(TokenAuthority tokens) throws JoseException {
        PublicJsonWebKey key = EcJwkGenerator.generateJwk(EllipticCurves.P256);
        key.setKeyId("ec-" + UUID.randomUUID());
        key.setAlgorithm(AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256);
        tokens.registerKey(key.toParams(JsonWebKey.OutputControlLevel.PUBLIC_ONLY));
        return key;
    }

    /** Valid claims for {@code repo} (null: an org-wide token) living an hour, changed by {@code change}. */
    public static JwtClaims claims(String repo, Consumer<JwtClaims> change) {
        JwtClaims c = new JwtClaims();
        c.setIssuer(TokenAuthority.ORG);
        c.setSubject("ci-agent-7");
        if (repo != null) {
            c.setClaim("repo", repo);
        }
        c.setIssuedAtToNow();
        c.setExpirationTime(NumericDate.fromSeconds(Instant.now().plusSeconds(3_600).getEpochSecond()));
        c.setJwtId(UUID.randomUUID().toString());
        change.accept(c);
        return c;
    }

    public static String sign(PublicJsonWebKey key, String alg, String kid, JwtClaims claims) throws JoseException {
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setAlgorithmHeaderValue(alg);
        jws.setKeyIdHeaderValue(kid);
        jws.setHeader("typ", "JWT");
        jws.setKey(key.getPrivateKey());
        return jws.getCompactSerialization();
    }

    /** Signed with {@code key} (ES256, its own kid). */
    public static String sign(PublicJsonWebKey key, JwtClaims claims) throws JoseException {
        return sign(key, AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256, key.getKeyId(), claims);
    }
}
