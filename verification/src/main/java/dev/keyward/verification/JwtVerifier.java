package dev.keyward.verification;

import dev.keyward.contract.Digests;
import dev.keyward.contract.ExchangedToken;
import dev.keyward.contract.Permission;
import dev.keyward.contract.RefusalReason;
import dev.keyward.contract.RepoIds;
import dev.keyward.contract.Scopes;
import dev.keyward.contract.TokenKind;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.regex.Pattern;
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
 * Verifies JWTs that an org signs with one of its registered public keys, and the JWTs Keyward
 * itself signs by token exchange.
 *
 * <p>Header: {@code alg} ES256 or RS256 (anything else, {@code none} and HS* included, is
 * {@link RefusalReason#FORBIDDEN_ALG}), {@code typ} JWT, {@code kid} naming a key of the org in
 * {@code iss}. Claims: {@code iss} (org id), {@code sub}, {@code scopes}, {@code iat}, {@code exp}
 * required; {@code repo}, {@code nbf}, {@code jti} optional; {@value #SKEW_SECONDS} s clock skew.
 *
 * <p>How {@code (repo, scopes)} become {@link Scopes}:
 * <ul>
 *   <li>with {@code repo}: the token is a {@link TokenKind#REPO} token and {@code scopes} may only
 *       hold {@code git:read}/{@code git:write} (or the shorthand {@code read}/{@code write}) and
 *       {@code repo:write} (create and delete that one repository); they become
 *       {@code {"repos:<repo>": scopes}}. {@code repo} is an exact repository id (patterns are
 *       not accepted), so nothing reaches another repository;</li>
 *   <li>without {@code repo}: the token is an org-wide read token and {@code scopes} must be
 *       exactly {@code ["org:read"]}; it becomes {@code {"org": ["org:read"]}};</li>
 *   <li>anything else (an unknown name, another permission, an empty list) is
 *       {@link RefusalReason#INVALID_CLAIMS}, so a customer can never mint more than the contract
 *       lets a signed JWT hold.</li>
 * </ul>
 *
 * <p>A JWT whose unverified {@code iss} is Keyward's issuer URL is an exchanged token
 * ({@link ExchangedToken}): {@code alg} must be exactly {@value ExchangedToken#ALGORITHM}, {@code kid}
 * names one of Keyward's signing keys ({@link KeywardKeySource}, cached like an org's keys), the
 * claims are read by {@link ExchangedToken#fromClaims}, and the org's {@code max_jwt_lifetime} does
 * not apply (the exchange caps its lifetime). It becomes a {@link CredentialForm#EXCHANGED}
 * principal whose token id is the {@code jti}. Whether its trust policy or {@code jti} was revoked
 * is {@link TokenVerifier}'s check, on cached results too.
 *
 * <p>Verified results (and permanent refusals, briefly) are cached by the SHA-256 of the token,
 * never beyond {@code exp}: ES256 costs far more than a map lookup.
 */
public final class JwtVerifier {

    public static final int SKEW_SECONDS = 60;
    private static final Set<String> ALLOWED_ALGS = Set.of(AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256,
            AlgorithmIdentifiers.RSA_USING_SHA256);
    private static final Pattern ORG_ID = Pattern.compile("[A-Za-z0-9._-]{1,100}");
    private static final Set<Permission> REPO_JWT_PERMISSIONS =
            EnumSet.of(Permission.GIT_READ, Permission.GIT_WRITE, Permission.REPO_WRITE);
    /** The one name Keyward's own signing keys are cached under. */
    static final String KEYWARD_KEYS = "keyward";

    private final OrgKeyCache keys;
    private final OrgKeyCache keywardKeys;
    private final String keywardIssuer;
    private final VerificationCache cache;
    private final Duration maxCacheTtl;
    private final Duration negativeTtl;
    private final Clock clock;
    private final OrgRulesCache orgs;

    /**
     * Built by {@link VerifierSettings#build}.
     *
     * @param keys          every org's registered keys
     * @param keywardKeys   Keyward's signing keys, under {@link #KEYWARD_KEYS}
     * @param keywardIssuer the {@code iss} of exchanged tokens ({@value ExchangedToken#ISSUER_PROPERTY})
     * @param orgs          each org's {@code max_jwt_lifetime} (the longest {@code exp - iat} it accepts)
     */
    JwtVerifier(OrgKeyCache keys, OrgKeyCache keywardKeys, String keywardIssuer, VerificationCache cache,
                Duration maxCacheTtl, Duration negativeTtl, Clock clock, OrgRulesCache orgs) {
        this.keys = keys;
        this.keywardKeys = keywardKeys;
        this.keywardIssuer = keywardIssuer;
        this.cache = cache;
        this.maxCacheTtl = maxCacheTtl;
        this.negativeTtl = negativeTtl;
        this.clock = clock;
        this.orgs = orgs;
    }

    public CompletionStage<Verification> verify(String jwt) {
        Optional<Verification> cached = cache.get(jwt);
        if (cached.isPresent()) {
            return CompletableFuture.completedFuture(cached.get());
        }
        JsonWebSignature jws;
        JwtClaims claims;
        try {
            if (!(JsonWebStructure.fromCompactSerialization(jwt) instanceof JsonWebSignature parsed)) {
                return done(jwt, refused(RefusalReason.MALFORMED, "encrypted JWTs are not accepted", null));
            }
            jws = parsed;
            claims = JwtClaims.parse(jws.getUnverifiedPayload());
        } catch (JoseException | InvalidJwtException | RuntimeException e) {
            return done(jwt, refused(RefusalReason.MALFORMED, "not a well-formed JWT", null));
        }
        String alg = jws.getAlgorithmHeaderValue();
        String iss = stringClaim(claims, "iss");
        boolean exchanged = iss != null && iss.equals(keywardIssuer);
        // Until the signature is checked the org is only what the token claims; it names the org of a refusal.
        String org = exchanged ? orgClaim(claims) : iss;
        if (exchanged && !ExchangedToken.ALGORITHM.equals(alg)) {
            return done(jwt, refused(RefusalReason.FORBIDDEN_ALG, "a Keyward-signed JWT's alg must be "
                    + ExchangedToken.ALGORITHM, org));
        }
        if (alg == null || !ALLOWED_ALGS.contains(alg)) {
            return done(jwt, refused(RefusalReason.FORBIDDEN_ALG, "JWT alg must be ES256 or RS256", org));
        }
        String typ = jws.getHeader("typ");
        if (typ == null || !typ.equalsIgnoreCase("JWT")) {
            return done(jwt, refused(RefusalReason.MALFORMED, "JWT typ must be JWT", org));
        }
        String kid = jws.getKeyIdHeaderValue();
        if (kid == null || kid.isBlank()) {
            return done(jwt, refused(RefusalReason.MALFORMED, "JWT header must name a kid", org));
        }
        if (!exchanged && (org == null || !ORG_ID.matcher(org).matches())) {
            return done(jwt, refused(RefusalReason.INVALID_CLAIMS, "JWT iss must be an org id", null));
        }
        CompletionStage<Optional<PublicJsonWebKey>> found = exchanged ? keywardKeys.find(KEYWARD_KEYS, kid) : keys.find(org, kid);
        return found.handle((key, failure) -> {
            if (failure != null) {
                return refused(RefusalReason.UNAVAILABLE, exchanged ? "cannot fetch Keyward's signing keys"
                        : "cannot fetch the org's keys", org);
            }
            if (key.isEmpty()) {
                // Not cached: the org may register the key (Keyward may rotate to it) a moment from now.
                return refused(RefusalReason.UNKNOWN_KID, exchanged ? "JWT kid is not a Keyward signing key"
                        : "JWT kid is not a registered key of org " + org, org);
            }
            Verification result = checkSignature(jwt, jws, key.get(), org);
            if (result == null) {
                result = exchanged ? exchangedPrincipal(claims, org) : customerPrincipal(claims, org, kid, jwt);
            }
            store(jwt, result);
            return result;
        });
    }

    /** Null when {@code key} signed the token with the alg of its header; the refusal otherwise. */
    private static Verification.Refused checkSignature(String jwt, JsonWebSignature jws, PublicJsonWebKey key, String org) {
        String alg = jws.getAlgorithmHeaderValue();
        if (key.getAlgorithm() != null && !key.getAlgorithm().equals(alg)) {
            return refused(RefusalReason.FORBIDDEN_ALG, "JWT alg does not match the key's alg", org);
        }
        try {
            if (AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256.equals(alg)) {
                return Es256Signature.verifies(jwt, key.getPublicKey()) ? null
                        : refused(RefusalReason.BAD_SIGNATURE, "JWT signature does not verify", org);
            }
            jws.setAlgorithmConstraints(new AlgorithmConstraints(AlgorithmConstraints.ConstraintType.PERMIT, alg));
            jws.setKey(key.getPublicKey());
            if (!jws.verifySignature()) {
                return refused(RefusalReason.BAD_SIGNATURE, "JWT signature does not verify", org);
            }
        } catch (JoseException | GeneralSecurityException | RuntimeException e) {
            // Wrong key type for the alg, a too-short RSA key, a mangled signature: all mean "not signed by this key".
            return refused(RefusalReason.BAD_SIGNATURE, "JWT signature does not verify", org);
        }
        return null;
    }

    /**
     * Null when {@code iat} and {@code exp} are present, {@code exp - iat} is within the org's
     * {@code maxLifetime} seconds and now is within {@code [iat, nbf] - skew .. exp + skew}; the refusal otherwise.
     */
    private Verification.Refused timeRefusal(JwtClaims claims, String org, long maxLifetime)
            throws MalformedClaimException {
        Instant now = clock.instant();
        NumericDate exp = claims.getExpirationTime();
        NumericDate iat = claims.getIssuedAt();
        if (exp == null || iat == null) {
            return refused(RefusalReason.INVALID_CLAIMS, "JWT must carry iat and exp", org);
        }
        if (exp.getValue() - iat.getValue() > maxLifetime) {
            return refused(RefusalReason.INVALID_CLAIMS, "JWT lifetime (exp - iat) exceeds the org's max_jwt_lifetime of "
                    + maxLifetime + " s", org);
        }
        if (!now.isBefore(Instant.ofEpochSecond(exp.getValue()).plusSeconds(SKEW_SECONDS))) {
            return refused(RefusalReason.EXPIRED, "JWT is expired", org);
        }
        NumericDate nbf = claims.getNotBefore();
        if (Instant.ofEpochSecond(iat.getValue()).isAfter(now.plusSeconds(SKEW_SECONDS))
                || (nbf != null && Instant.ofEpochSecond(nbf.getValue()).isAfter(now.plusSeconds(SKEW_SECONDS)))) {
            return refused(RefusalReason.NOT_YET_VALID, "JWT is not valid yet", org);
        }
        return null;
    }

    /** A Keyward-signed token whose signature verified; no org lifetime rule (the exchange capped it). */
    private Verification exchangedPrincipal(JwtClaims claims, String org) {
        try {
            Verification.Refused refusal = timeRefusal(claims, org, Long.MAX_VALUE);
            if (refusal != null) {
                return refusal;
            }
            ExchangedToken token = ExchangedToken.fromClaims(claims.getClaimsMap());
            return Verification.verified(new VerifiedPrincipal(token.org(), token.subject(), token.jti(), token.kind(),
                    token.scopes(), token.expiresAt(), null, List.of(), CredentialForm.EXCHANGED, token.trustPolicy()));
        } catch (MalformedClaimException e) {
            return refused(RefusalReason.INVALID_CLAIMS, "JWT claims have the wrong types", org);
        } catch (IllegalArgumentException e) {
            return refused(RefusalReason.INVALID_CLAIMS, e.getMessage(), org);
        }
    }

    /** A customer-signed token whose signature verified. */
    private Verification customerPrincipal(JwtClaims claims, String org, String kid, String jwt) {
        try {
            Verification.Refused refusal = timeRefusal(claims, org, orgs.of(org).maxJwtLifetimeSeconds());
            if (refusal != null) {
                return refusal;
            }
            Instant expiresAt = Instant.ofEpochSecond(claims.getExpirationTime().getValue());
            String sub = claims.getSubject();
            if (sub == null || sub.isBlank()) {
                return refused(RefusalReason.INVALID_CLAIMS, "JWT must carry sub", org);
            }
            Object repoClaim = claims.getClaimValue("repo");
            if (repoClaim != null && !(repoClaim instanceof String)) {
                return refused(RefusalReason.INVALID_CLAIMS, "JWT repo must be a string", org);
            }
            String repo = (String) repoClaim;
            if (repo != null && !RepoIds.isValid(repo)) {
                return refused(RefusalReason.INVALID_CLAIMS, "JWT repo is not a valid repository id", org);
            }
            if (!claims.isClaimValueStringList("scopes")) {
                return refused(RefusalReason.INVALID_CLAIMS, "JWT scopes must be an array of permission names", org);
            }
            Optional<Scopes> scopes = scopesOf(repo, claims.getStringListClaimValue("scopes"));
            if (scopes.isEmpty()) {
                return refused(RefusalReason.INVALID_CLAIMS, repo == null
                        ? "a JWT without repo may only hold [\"org:read\"]"
                        : "a JWT with repo may only hold git:read, git:write and repo:write", org);
            }
            String jti = claims.getJwtId();
            String tokenId = "jwt:" + org + ":" + kid + ":" + (jti != null && !jti.isBlank() ? jti : Digests.sha256Hex(jwt).substring(0, 16));
            return Verification.verified(new VerifiedPrincipal(org, sub, tokenId, repo == null ? TokenKind.ORG : TokenKind.REPO,
                    scopes.get(), expiresAt, null, List.of(), CredentialForm.CUSTOMER_JWT, null));
        } catch (MalformedClaimException e) {
            return refused(RefusalReason.INVALID_CLAIMS, "JWT claims have the wrong types", org);
        }
    }

    /**
     * The {@link Scopes} a JWT's {@code repo} and {@code scopes} claims stand for; empty when not
     * allowed, and when {@code repo} is not one repository's id (a pattern would reach others).
     */
    public static Optional<Scopes> scopesOf(String repo, List<String> names) {
        if (names == null || names.isEmpty() || (repo != null && !RepoIds.isValid(repo))) {
            return Optional.empty();
        }
        Set<Permission> perms = EnumSet.noneOf(Permission.class);
        for (String name : names) {
            Optional<Permission> p = Permission.parse(name);
            if (p.isEmpty()) {
                return Optional.empty();
            }
            perms.add(p.get());
        }
        if (repo == null) {
            return perms.equals(EnumSet.of(Permission.ORG_READ))
                    ? Optional.of(Scopes.parse(Map.of(Scopes.ORG, List.of(Permission.ORG_READ.wireName()))))
                    : Optional.empty();
        }
        if (!REPO_JWT_PERMISSIONS.containsAll(perms)) {
            return Optional.empty();
        }
        List<String> wire = new ArrayList<>();
        perms.forEach(p -> wire.add(p.wireName()));
        return Optional.of(Scopes.parse(Map.of("repos:" + repo, wire)));
    }

    private void store(String jwt, Verification result) {
        Instant now = clock.instant();
        if (result instanceof Verification.Verified v) {
            Instant until = now.plus(maxCacheTtl);
            Instant exp = v.principal().expiresAt();
            cache.put(jwt, result, v.principal().tokenId(), exp.isBefore(until) ? exp : until);
        } else if (((Verification.Refused) result).reason() != RefusalReason.UNAVAILABLE
                && ((Verification.Refused) result).reason() != RefusalReason.UNKNOWN_KID) {
            cache.put(jwt, result, null, now.plus(negativeTtl));
        }
    }

    private CompletionStage<Verification> done(String jwt, Verification result) {
        store(jwt, result);
        return CompletableFuture.completedFuture(result);
    }

    private static Verification.Refused refused(RefusalReason reason, String message, String org) {
        return Verification.refused(reason, message).withOrg(org);
    }

    /** An exchanged token's {@code org} claim when it looks like an org id, for naming the org of a refusal. */
    private static String orgClaim(JwtClaims claims) {
        String org = stringClaim(claims, "org");
        return org != null && ORG_ID.matcher(org).matches() ? org : null;
    }

    private static String stringClaim(JwtClaims claims, String name) {
        Object v = claims.getClaimValue(name);
        return v instanceof String s ? s : null;
    }
}
