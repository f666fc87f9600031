package dev.keyward.token.signing;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals Keyward's private signing keys for storage: AES-256-GCM under the SHA-256 of
 * {@code keyward.signing-keys.secret}, a fresh 96-bit nonce per seal, the kid as associated data
 * (a sealed key copied into another row does not open). Sealed form: nonce followed by ciphertext and tag.
 */
public final class KeyCipher {

    /** The shortest secret accepted; its SHA-256 is the AES key, so anything longer adds nothing but entropy. */
    public static final int MIN_SECRET_LENGTH = 32;
    static final String PROPERTY = "keyward.signing-keys.secret";
    static final String ENVIRONMENT = "KEYWARD_SIGNING_KEYS_SECRET";

    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SecretKeySpec key;

    /** @throws IllegalStateException when the secret is shorter than {@value #MIN_SECRET_LENGTH} characters */
    public KeyCipher(String secret) {
        if (secret == null || secret.strip().length() < MIN_SECRET_LENGTH) {
            throw new IllegalStateException(PROPERTY + " (" + ENVIRONMENT + ") must be at least " + MIN_SECRET_LENGTH
                    + " characters; leave it unset to run without token exchange");
        }
        try {
            key = new SecretKeySpec(MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8)), "AES");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }

    /** The sealed form of {@code plaintext}, bound to {@code kid}. */
    public byte[] seal(String kid, byte[] plaintext) {
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        try {
            byte[] sealed = cipher(Cipher.ENCRYPT_MODE, kid, nonce).doFinal(plaintext);
            return ByteBuffer.allocate(NONCE_BYTES + sealed.length).put(nonce).put(sealed).array();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM unavailable", e);
        }
    }

    /**
     * The plaintext sealed for {@code kid}.
     *
     * @throws IllegalStateException when it does not open: another secret, another kid, or altered bytes
     */
    public byte[] open(String kid, byte[] sealed) {
        if (sealed == null || sealed.length <= NONCE_BYTES) {
            throw cannotOpen(kid);
        }
        try {
            return cipher(Cipher.DECRYPT_MODE, kid, Arrays.copyOf(sealed, NONCE_BYTES))
                    .doFinal(sealed, NONCE_BYTES, sealed.length - NONCE_BYTES);
        } catch (javax.crypto.AEADBadTagException e) {
            throw cannotOpen(kid);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM unavailable", e);
        }
    }

    private Cipher cipher(int mode, String kid, byte[] nonce) throws GeneralSecurityException {
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(mode, key, new GCMParameterSpec(TAG_BITS, nonce));
        cipher.updateAAD(kid.getBytes(StandardCharsets.UTF_8));
        return cipher;
    }

    private static IllegalStateException cannotOpen(String kid) {
        return new IllegalStateException("signing key " + kid + " does not decrypt: " + PROPERTY
                + " is not the one it was stored with, or the row was altered");
    }
}
