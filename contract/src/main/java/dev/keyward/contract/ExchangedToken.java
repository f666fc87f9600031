package dev.keyward.contract;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The claims of a token Keyward itself signs: the short-lived JWT that token exchange issues to a
 * CI job or pod (SPEC "Secretless CI"). token-service builds it, every verifier reads it; this
 * record is the one place its shape is written down.
 *
 * <p>Header: {@code alg} {@value #ALGORITHM}, {@code typ} JWT, {@code kid} naming a Keyward signing
 * key published at {@code /.well-known/jwks.json}. Claims: {@code iss} (Keyward's issuer URL,
 * configuration {@value #ISSUER_PROPERTY}), {@code sub} (the workload's subject at its own issuer),
 * {@code org}, {@code scopes} (the scope map, wire form), {@code tp} (the trust policy that allowed
 * it), {@code jti} ({@value #JTI_PREFIX}…, also its token id: {@code DELETE /v1/tokens/{jti}}),
 * {@code iat}, {@code nbf}, {@code exp}.
 *
 * @param issuer      Keyward's issuer URL
 * @param subject     the workload's subject, e.g. {@code repo:acme/app:ref:refs/heads/main}
 * @param org         the org whose trust policy matched
 * @param scopes      what the token may do; never more than the policy's scopes
 * @param trustPolicy the trust policy's id ({@value #TRUST_POLICY_PREFIX}…)
 * @param jti         the token's id ({@value #JTI_PREFIX}…)
 * @param issuedAt    {@code iat} and {@code nbf}
 * @param expiresAt   {@code exp}
 */
public record ExchangedToken(String issuer, String subject, String org, Scopes scopes, String trustPolicy, String jti,
                             Instant issuedAt, Instant expiresAt) {

    /** The only algorithm Keyward signs with. */
    public static final String ALGORITHM = "ES256";
    /** The configuration property naming Keyward's issuer URL; the same value in every service. */
    public static final String ISSUER_PROPERTY = "keyward.token-issuer";
    /** The issuer when none is configured: the local stack's token-service. */
    public static final String DEFAULT_ISSUER = "http://127.0.0.1:8081";
    public static final String JTI_PREFIX = "xtok_";
    public static final String TRUST_POLICY_PREFIX = "tp_";
    /** An exchanged token never lives longer than this unless the operator raises the cap. */
    public static final long DEFAULT_MAX_TTL_SECONDS = 3_600;

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();

    public ExchangedToken {
        Objects.requireNonNull(issuer, "issuer");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(org, "org");
        Objects.requireNonNull(scopes, "scopes");
        Objects.requireNonNull(trustPolicy, "trustPolicy");
        Objects.requireNonNull(jti, "jti");
        Objects.requireNonNull(issuedAt, "issuedAt");
        Objects.requireNonNull(expiresAt, "expiresAt");
    }

    /** What the token may reach: a repo token when its scopes are all git on repositories, else an org token. */
    public TokenKind kind() {
        return scopes.problemForKind(TokenKind.REPO).isEmpty() ? TokenKind.REPO : TokenKind.ORG;
    }

    /** The JWT claims, for the signer ({@code iat}/{@code nbf}/{@code exp} in epoch seconds). */
    public Map<String, Object> toClaims() {
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", issuer);
        claims.put("sub", subject);
        claims.put("org", org);
        claims.put("scopes", scopes.toWire());
        claims.put("tp", trustPolicy);
        claims.put("jti", jti);
        claims.put("iat", issuedAt.getEpochSecond());
        claims.put("nbf", issuedAt.getEpochSecond());
        claims.put("exp", expiresAt.getEpochSecond());
        return claims;
    }

    /**
     * Reads the claims of a verified Keyward-signed JWT (numbers as any {@link Number}).
     *
     * @throws IllegalArgumentException naming the claim that is missing or of the wrong type
     */
    public static ExchangedToken fromClaims(Map<String, Object> claims) {
        String iss = string(claims, "iss");
        String sub = string(claims, "sub");
        String org = string(claims, "org");
        String tp = string(claims, "tp");
        String jti = string(claims, "jti");
        if (!isExchangedTokenId(jti)) {
            throw new IllegalArgumentException("jti must start with " + JTI_PREFIX);
        }
        if (!tp.startsWith(TRUST_POLICY_PREFIX)) {
            throw new IllegalArgumentException("tp must start with " + TRUST_POLICY_PREFIX);
        }
        if (!(claims.get("scopes") instanceof Map<?, ?> raw)) {
            throw new IllegalArgumentException("scopes must be an object of resource to permissions");
        }
        Map<String, List<String>> wire = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : raw.entrySet()) {
            if (!(e.getKey() instanceof String resource) || !(e.getValue() instanceof Collection<?> perms)) {
                throw new IllegalArgumentException("scopes must be an object of resource to permissions");
            }
            List<String> names = new ArrayList<>();
            for (Object p : perms) {
                if (!(p instanceof String name)) {
                    throw new IllegalArgumentException("scopes must be an object of resource to permissions");
                }
                names.add(name);
            }
            wire.put(resource, names);
        }
        Scopes scopes;
        try {
            scopes = Scopes.parse(wire);
        } catch (ScopeSyntaxException e) {
            throw new IllegalArgumentException("scopes: " + e.getMessage());
        }
        return new ExchangedToken(iss, sub, org, scopes, tp, jti, Instant.ofEpochSecond(number(claims, "iat")),
                Instant.ofEpochSecond(number(claims, "exp")));
    }

    /** Whether a token id names an exchanged token (its {@code jti}) rather than an issued key. */
    public static boolean isExchangedTokenId(String id) {
        return id != null && id.startsWith(JTI_PREFIX) && id.length() > JTI_PREFIX.length();
    }

    /** A fresh {@code jti}: {@value #JTI_PREFIX} and 24 base62 characters (142 bits). */
    public static String newJti() {
        return JTI_PREFIX + random(24);
    }

    /** A fresh trust policy id: {@value #TRUST_POLICY_PREFIX} and 16 base62 characters. */
    public static String newTrustPolicyId() {
        return TRUST_POLICY_PREFIX + random(16);
    }

    private static String random(int length) {
        char[] out = new char[length];
        for (int i = 0; i < length; i++) {
            out[i] = BASE62[RANDOM.nextInt(BASE62.length)];
        }
        return new String(out);
    }

    private static String string(Map<String, Object> claims, String name) {
        if (!(claims.get(name) instanceof String s) || s.isBlank()) {
            throw new IllegalArgumentException(name + " must be a non-empty string");
        }
        return s;
    }

    private static long number(Map<String, Object> claims, String name) {
        if (!(claims.get(name) instanceof Number n)) {
            throw new IllegalArgumentException(name + " must be a number (epoch seconds)");
        }
        return n.longValue();
    }
}
