package dev.keyward.token.domain;

import dev.keyward.contract.ApiException;
import java.math.BigInteger;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A customer's public signing key as a JWK: ES256 (EC P-256) or RS256 (RSA of at least 2048 bits),
 * always with a {@code kid}. Anything holding private key material is refused.
 *
 * @param kid the key id that JWT headers name
 * @param alg {@code ES256} or {@code RS256}
 * @param jwk the public members only, in a fixed order, with {@code kty}, {@code kid}, {@code alg}, {@code use}
 */
public record PublicJwk(String kid, String alg, Map<String, String> jwk) {

    public static final int MIN_RSA_BITS = 2048;
    private static final Set<String> PRIVATE_MEMBERS = Set.of("d", "p", "q", "dp", "dq", "qi", "oth", "k");
    private static final Pattern KID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    // NIST P-256 (secp256r1) curve: y^2 = x^3 - 3x + b over GF(p).
    private static final BigInteger P256_P =
            new BigInteger("ffffffff00000001000000000000000000000000ffffffffffffffffffffffff", 16);
    private static final BigInteger P256_B =
            new BigInteger("5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b", 16);

    /**
     * Checks and normalises a JWK as received.
     *
     * @throws ApiException 422 saying what is wrong (never echoing key material)
     */
    public static PublicJwk parse(Map<String, Object> raw) {
        if (raw == null || raw.isEmpty()) {
            throw ApiException.invalid("body must be a public JWK");
        }
        for (String member : PRIVATE_MEMBERS) {
            if (raw.containsKey(member)) {
                throw new ApiException(422, "private_key",
                        "the JWK holds private or symmetric key material; register the public key only");
            }
        }
        String kid = string(raw, "kid");
        if (kid == null || !KID.matcher(kid).matches()) {
            throw ApiException.invalid("kid is required: 1-128 characters of letters, digits, '.', '_', ':', '-'");
        }
        String use = string(raw, "use");
        if (use != null && !use.equals("sig")) {
            throw ApiException.invalid("use must be 'sig'");
        }
        String kty = string(raw, "kty");
        String alg = string(raw, "alg");
        Map<String, String> jwk = new LinkedHashMap<>();
        if ("EC".equals(kty)) {
            requireAlg(alg, "ES256");
            if (!"P-256".equals(string(raw, "crv"))) {
                throw ApiException.invalid("EC keys must use crv P-256 (ES256)");
            }
            String x = string(raw, "x");
            String y = string(raw, "y");
            checkOnP256(coordinate(x, "x"), coordinate(y, "y"));
            put(jwk, kid, "EC", "ES256");
            jwk.put("crv", "P-256");
            jwk.put("x", x);
            jwk.put("y", y);
            return new PublicJwk(kid, "ES256", jwk);
        }
        if ("RSA".equals(kty)) {
            requireAlg(alg, "RS256");
            String n = string(raw, "n");
            String e = string(raw, "e");
            BigInteger modulus = new BigInteger(1, base64url(n, "n"));
            BigInteger exponent = new BigInteger(1, base64url(e, "e"));
            if (modulus.bitLength() < MIN_RSA_BITS) {
                throw ApiException.invalid("RSA keys must have at least " + MIN_RSA_BITS + " bits");
            }
            if (exponent.compareTo(BigInteger.valueOf(3)) < 0 || !exponent.testBit(0)) {
                throw ApiException.invalid("RSA public exponent e is not valid");
            }
            put(jwk, kid, "RSA", "RS256");
            jwk.put("n", n);
            jwk.put("e", e);
            return new PublicJwk(kid, "RS256", jwk);
        }
        throw ApiException.invalid("kty must be 'EC' (ES256, P-256) or 'RSA' (RS256)");
    }

    private static void put(Map<String, String> jwk, String kid, String kty, String alg) {
        jwk.put("kty", kty);
        jwk.put("kid", kid);
        jwk.put("alg", alg);
        jwk.put("use", "sig");
    }

    private static void requireAlg(String alg, String expected) {
        if (alg != null && !alg.equals(expected)) {
            throw ApiException.invalid("alg must be ES256 (EC P-256) or RS256 (RSA); 'none', HS* and others are refused");
        }
    }

    private static BigInteger coordinate(String value, String member) {
        byte[] bytes = base64url(value, member);
        if (bytes.length != 32) {
            throw ApiException.invalid("EC coordinate " + member + " must be 32 bytes for P-256");
        }
        return new BigInteger(1, bytes);
    }

    private static void checkOnP256(BigInteger x, BigInteger y) {
        if (x.compareTo(P256_P) >= 0 || y.compareTo(P256_P) >= 0) {
            throw ApiException.invalid("EC point is not on curve P-256");
        }
        BigInteger left = y.modPow(BigInteger.TWO, P256_P);
        BigInteger right = x.pow(3).subtract(x.multiply(BigInteger.valueOf(3))).add(P256_B).mod(P256_P);
        if (!left.equals(right)) {
            throw ApiException.invalid("EC point is not on curve P-256");
        }
    }

    private static byte[] base64url(String value, String member) {
        if (value == null || value.isEmpty()) {
            throw ApiException.invalid("JWK member '" + member + "' is required");
        }
        try {
            return Base64.getUrlDecoder().decode(value);
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid("JWK member '" + member + "' must be base64url");
        }
    }

    private static String string(Map<String, Object> raw, String member) {
        Object v = raw.get(member);
        if (v == null) {
            return null;
        }
        if (!(v instanceof String s)) {
            throw ApiException.invalid("JWK member '" + member + "' must be a string");
        }
        return s;
    }
}
