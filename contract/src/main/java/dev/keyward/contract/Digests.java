package dev.keyward.contract;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * SHA-256 of token strings, hex: so caches never hold a raw token as a key, and leak reports name
 * a token by its hash ({@code token_hash}).
 */
public final class Digests {

    private static final HexFormat HEX = HexFormat.of();
    /** One digest per thread: looking the algorithm up costs more than hashing a token (a cache hit does both). */
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always present", e);
        }
    });

    private Digests() {
    }

    public static String sha256Hex(String value) {
        // digest() resets the instance, so the next call on this thread starts clean.
        return HEX.formatHex(SHA256.get().digest(value.getBytes(StandardCharsets.UTF_8)));
    }
}
