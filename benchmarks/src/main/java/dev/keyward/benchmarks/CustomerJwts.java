package dev.keyward.benchmarks;

import java.util.List;
import org.jose4j.jwk.EllipticCurveJsonWebKey;
import org.jose4j.jwk.PublicJsonWebKey;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.lang.JoseException;

/** Customer-signed JWTs as an org's agent would present them: read access to one repository, a fresh jti each. */
final class CustomerJwts {

    private CustomerJwts() {
    }

    /** A JWT of {@code org} for {@code git:read} on {@code repo}, valid for two hours, signed ES256 or RS256 by the key's type. */
    static String sign(PublicJsonWebKey key, String org, String repo) throws JoseException {
        JwtClaims claims = new JwtClaims();
        claims.setIssuer(org);
        claims.setSubject("bench-agent");
        claims.setClaim("repo", repo);
        claims.setStringListClaim("scopes", List.of("git:read"));
        claims.setIssuedAtToNow();
        claims.setExpirationTimeMinutesInTheFuture(120);
        claims.setGeneratedJwtId();
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setAlgorithmHeaderValue(key instanceof EllipticCurveJsonWebKey
                ? AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256 : AlgorithmIdentifiers.RSA_USING_SHA256);
        jws.setKeyIdHeaderValue(key.getKeyId());
        jws.setHeader("typ", "JWT");
        jws.setKey(key.getPrivateKey());
        return jws.getCompactSerialization();
    }
}
