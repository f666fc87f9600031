package dev.keyward.token.exchange;

import dev.keyward.contract.RefusalReason;
import dev.keyward.verification.OrgKeyCache;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jwk.PublicJsonWebKey;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.MalformedClaimException;
import org.jose4j.jwt.NumericDate;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwx.JsonWebStructure;
import org.jose4j.lang.JoseException;

/**
 * Verifies the OIDC token a workload presents for exchange against the keys of its issuer
 * ({@link IssuerKeySource} through an {@link OrgKeyCache} keyed by issuer URL): an asymmetric
 * {@code alg} only ({@code none} and every HS* are refused before any key is looked at, so a
 * token "signed" with the issuer's public key as an HMAC secret goes nowhere), a {@code kid} the
 * issuer publishes (one refresh on an unknown one), the signature, {@code exp} required,
 * {@code nbf}/{@code iat} not in the future, each with {@value #SKEW_SECONDS} s skew. Audience,
 * subject and claims are the trust policy's to judge.
 */
public final class WorkloadTokenVerifier {

    public static final int SKEW_SECONDS = 60;
    private static final Set<String> ALLOWED_ALGS = Set.of(
            AlgorithmIdentifiers.RSA_USING_SHA256, AlgorithmIdentifiers.RSA_USING_SHA384, AlgorithmIdentifiers.RSA_USING_SHA512,
            AlgorithmIdentifiers.RSA_PSS_USING_SHA256, AlgorithmIdentifiers.RSA_PSS_USING_SHA384,
            AlgorithmIdentifiers.RSA_PSS_USING_SHA512, AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256,
            AlgorithmIdentifiers.ECDSA_USING_P384_CURVE_AND_SHA384, AlgorithmIdentifiers.ECDSA_USING_P521_CURVE_AND_SHA512,
            AlgorithmIdentifiers.EDDSA);

    private final OrgKeyCache issuerKeys;
    private final Clock clock;

    public WorkloadTokenVerifier(OrgKeyCache issuerKeys, Clock clock) {
        this.issuerKeys = issuerKeys;
        this.clock = clock;
    }

    /** A token parsed but not verified: enough to pick the trust policies that name its issuer. */
    public record Unverified(String issuer, JsonWebSignature jws, JwtClaims claims) {
    }

    /** @throws ExchangeRefusal invalid_request when it is not a signed JWT with an {@code iss} */
    public static Unverified parse(String token) {
        try {
            if (!(JsonWebStructure.fromCompactSerialization(token) instanceof JsonWebSignature jws)) {
                throw ExchangeRefusal.invalidRequest("subject_token must be a signed JWT, not an encrypted one");
            }
            JwtClaims claims = JwtClaims.parse(jws.getUnverifiedPayload());
            Object iss = claims.getClaimValue("iss");
            if (!(iss instanceof String issuer) || issuer.isBlank()) {
                throw ExchangeRefusal.invalidGrant("subject_token has no iss claim");
            }
            return new Unverified(issuer, jws, claims);
        } catch (JoseException | InvalidJwtException | RuntimeException e) {
            if (e instanceof ExchangeRefusal refusal) {
                throw refusal;
            }
            throw ExchangeRefusal.invalidRequest("subject_token is not a well-formed JWT");
        }
    }

    /** Verifies signature and times; completes exceptionally with an {@link ExchangeRefusal}. */
    public CompletionStage<WorkloadToken> verify(Unverified token) {
        JsonWebSignature jws = token.jws();
        String alg = jws.getAlgorithmHeaderValue();
        if (alg == null || !ALLOWED_ALGS.contains(alg)) {
            return failed(ExchangeRefusal.invalidGrant(RefusalReason.FORBIDDEN_ALG, "subject_token alg " + (alg == null ? "(none)" : shown(alg))
                    + " is not accepted; only asymmetric signatures (RS*, PS*, ES*, EdDSA) are"));
        }
        String kid = jws.getKeyIdHeaderValue();
        if (kid == null || kid.isBlank()) {
            return failed(ExchangeRefusal.invalidGrant(RefusalReason.UNKNOWN_KID, "subject_token header names no kid"));
        }
        return issuerKeys.find(token.issuer(), kid).handle((key, failure) -> {
            if (failure != null) {
                throw ExchangeRefusal.unavailable("the issuer's keys cannot be fetched: " + rootMessage(failure));
            }
            if (key.isEmpty() || (key.get().getUse() != null && !"sig".equals(key.get().getUse()))) {
                throw ExchangeRefusal.invalidGrant(RefusalReason.UNKNOWN_KID, "subject_token kid is not a signing key the issuer publishes");
            }
            return checked(token, key.get(), alg);
        });
    }

    private WorkloadToken checked(Unverified token, PublicJsonWebKey key, String alg) {
        JsonWebSignature jws = token.jws();
        if (key.getAlgorithm() != null && !key.getAlgorithm().equals(alg)) {
            throw ExchangeRefusal.invalidGrant(RefusalReason.FORBIDDEN_ALG, "subject_token alg does not match the issuer's key");
        }
        try {
            jws.setAlgorithmConstraints(new AlgorithmConstraints(AlgorithmConstraints.ConstraintType.PERMIT, alg));
            jws.setKey(key.getPublicKey());
            if (!jws.verifySignature()) {
                throw ExchangeRefusal.invalidGrant(RefusalReason.BAD_SIGNATURE, "subject_token signature does not verify with the issuer's key");
            }
        } catch (JoseException | RuntimeException e) {
            if (e instanceof ExchangeRefusal refusal) {
                throw refusal;
            }
            throw ExchangeRefusal.invalidGrant(RefusalReason.BAD_SIGNATURE, "subject_token signature does not verify with the issuer's key");
        }
        JwtClaims claims = token.claims();
        Instant now = clock.instant();
        try {
            NumericDate exp = claims.getExpirationTime();
            if (exp == null) {
                throw ExchangeRefusal.invalidGrant("subject_token has no exp");
            }
            if (!now.isBefore(Instant.ofEpochSecond(exp.getValue()).plusSeconds(SKEW_SECONDS))) {
                throw ExchangeRefusal.invalidGrant(RefusalReason.EXPIRED, "subject_token is expired");
            }
            NumericDate nbf = claims.getNotBefore();
            NumericDate iat = claims.getIssuedAt();
            Instant latest = now.plusSeconds(SKEW_SECONDS);
            if ((nbf != null && Instant.ofEpochSecond(nbf.getValue()).isAfter(latest))
                    || (iat != null && Instant.ofEpochSecond(iat.getValue()).isAfter(latest))) {
                throw ExchangeRefusal.invalidGrant(RefusalReason.NOT_YET_VALID, "subject_token is not valid yet");
            }
            String sub = claims.getSubject();
            if (sub == null || sub.isBlank()) {
                throw ExchangeRefusal.invalidGrant("subject_token has no sub");
            }
            List<String> audiences = claims.hasClaim("aud") ? claims.getAudience() : List.of();
            return new WorkloadToken(token.issuer(), sub, new ArrayList<>(audiences), claims.getClaimsMap());
        } catch (MalformedClaimException e) {
            throw ExchangeRefusal.invalidGrant("subject_token has a malformed registered claim (exp, nbf, iat, sub or aud)");
        }
    }

    private static <T> CompletionStage<T> failed(ExchangeRefusal refusal) {
        return CompletableFuture.failedFuture(refusal);
    }

    private static String rootMessage(Throwable failure) {
        Throwable t = failure;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    private static String shown(String text) {
        return text.length() <= 20 && text.chars().allMatch(c -> c > 32 && c < 127) ? text : "…";
    }
}
