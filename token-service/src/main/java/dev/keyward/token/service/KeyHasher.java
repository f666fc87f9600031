package dev.keyward.token.service;

import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Keyed hashes of API keys: HMAC-SHA-256 with the server pepper ({@code keyward.pepper}, env
 * {@code KEYWARD_PEPPER}). Only these hashes are stored, so a database dump does not yield keys.
 * There is no default outside the dev and test profiles: production refuses to start without it.
 */
@ApplicationScoped
public class KeyHasher {

    static final int MIN_PEPPER_LENGTH = 16;
    private static final String ALGORITHM = "HmacSHA256";

    private final SecretKeySpec pepper;

    public KeyHasher(@ConfigProperty(name = "keyward.pepper") String pepper) {
        if (pepper == null || pepper.strip().length() < MIN_PEPPER_LENGTH) {
            throw new IllegalStateException("keyward.pepper (KEYWARD_PEPPER) must be set to at least "
                    + MIN_PEPPER_LENGTH + " characters");
        }
        this.pepper = new SecretKeySpec(pepper.getBytes(StandardCharsets.UTF_8), ALGORITHM);
    }

    /** The keyed hash of a key, as lowercase hex. */
    public String hash(String key) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(pepper);
            return HexFormat.of().formatHex(mac.doFinal(key.getBytes(StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HMAC-SHA-256 unavailable", e);
        }
    }

    /** Compares two secrets (or hashes of secrets) in time independent of where they differ. */
    public static boolean sameSecret(String a, String b) {
        if (a == null || b == null) {
            return false;
        }
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }
}
