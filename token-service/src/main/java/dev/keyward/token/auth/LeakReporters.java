package dev.keyward.token.auth;

import dev.keyward.contract.ApiException;
import dev.keyward.verification.KeyedRateLimit;
import dev.keyward.verification.RequestRateLimiter;
import dev.keyward.verification.quarkus.VerificationMetrics;
import jakarta.enterprise.context.ApplicationScoped;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The secret scanners allowed to report leaked keys ({@code POST /v1/leaks}): each signs the raw
 * request body with its ECDSA P-256 key (SHA256withECDSA); the operator configures the public
 * halves as {@code keyward.leaks.reporters.<key-id>=<base64 X.509 SubjectPublicKeyInfo DER>}.
 * Signatures are accepted in DER form (what {@code SHA256withECDSA} produces, and what the public
 * code hosts' partner programs send) and, when exactly 64 bytes do not parse as DER, as raw
 * {@code r||s}. Each key id has its own rate limit ({@code keyward.leaks.rate-limit.*}), counted
 * only once its signature is verified, so a forger cannot spend a reporter's budget.
 */
@ApplicationScoped
public class LeakReporters {

    public static final String KEY_ID_HEADER = "Keyward-Signature-Key-Id";
    public static final String SIGNATURE_HEADER = "Keyward-Signature";

    static final String PREFIX = "keyward.leaks.reporters.";
    private static final int P256_RAW_SIGNATURE = 64;

    /** This rate limit in {@code keyward_rate_limited_requests_total{limit}}. */
    static final String LEAK_REPORTER_LIMIT = "leak_reporter";

    private final Map<String, PublicKey> keys;
    private final KeyedRateLimit limit;
    private final VerificationMetrics metrics;

    public LeakReporters(Config config, VerificationMetrics metrics,
                         @ConfigProperty(name = "keyward.leaks.rate-limit.per-second", defaultValue = "5") double perSecond,
                         @ConfigProperty(name = "keyward.leaks.rate-limit.burst", defaultValue = "50") int burst) {
        Map<String, PublicKey> found = new HashMap<>();
        for (String name : config.getPropertyNames()) {
            if (name.startsWith(PREFIX) && name.length() > PREFIX.length()) {
                String keyId = name.substring(PREFIX.length());
                found.put(keyId, parse(keyId, config.getValue(name, String.class)));
            }
        }
        this.keys = Map.copyOf(found);
        this.limit = KeyedRateLimit.of(new RequestRateLimiter.Limit(perSecond, burst), 10_000);
        this.metrics = metrics;
    }

    /**
     * Admits a report: its key id is configured, the signature over {@code body} verifies, and the
     * reporter is within its rate.
     *
     * @return the reporter's key id
     * @throws ApiException 401 {@code bad_signature} (nothing about which part failed), 429 {@code rate_limited}
     */
    public String admit(String keyId, String signature, byte[] body) {
        PublicKey key = keyId == null ? null : keys.get(keyId);
        if (key == null || signature == null || !verifies(key, signature, body)) {
            throw new ApiException(401, "bad_signature",
                    "the report is not signed by a configured reporter key (" + KEY_ID_HEADER + ", " + SIGNATURE_HEADER + ")");
        }
        long waitNanos = limit.acquire(keyId);
        if (waitNanos > 0) {
            metrics.rateLimited(LEAK_REPORTER_LIMIT);
            long seconds = Math.max(1, TimeUnit.NANOSECONDS.toSeconds(waitNanos + 999_999_999L));
            throw new ApiException(429, "rate_limited", "too many reports from this reporter key; retry later",
                    Map.of("retry_after", seconds));
        }
        return keyId;
    }

    static boolean verifies(PublicKey key, String signature, byte[] body) {
        byte[] sig;
        try {
            sig = Base64.getDecoder().decode(signature.trim());
        } catch (IllegalArgumentException e) {
            return false;
        }
        if (verifies("SHA256withECDSA", key, sig, body)) {
            return true;
        }
        return sig.length == P256_RAW_SIGNATURE && verifies("SHA256withECDSAinP1363Format", key, sig, body);
    }

    private static boolean verifies(String algorithm, PublicKey key, byte[] sig, byte[] body) {
        try {
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(key);
            verifier.update(body);
            return verifier.verify(sig);
        } catch (GeneralSecurityException e) {
            return false; // a malformed signature is a bad one
        }
    }

    private static PublicKey parse(String keyId, String base64) {
        try {
            PublicKey key = KeyFactory.getInstance("EC")
                    .generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(base64.trim())));
            if (!(key instanceof ECPublicKey ec) || ec.getParams().getCurve().getField().getFieldSize() != 256) {
                throw new IllegalStateException(PREFIX + keyId + " is not an ECDSA P-256 public key");
            }
            return key;
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalStateException(PREFIX + keyId + " is not a base64 X.509 (SubjectPublicKeyInfo) EC public key", e);
        }
    }
}
