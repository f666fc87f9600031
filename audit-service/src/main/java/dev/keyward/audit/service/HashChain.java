package dev.keyward.audit.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import dev.keyward.events.EventCodec;
import dev.keyward.events.KeywardEvent;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The rules of the per-org hash chain. Each stored event gets the next {@code seq} of its org and
 * {@code hash = SHA-256(prev_hash || UTF-8(org "\n" seq "\n" content))}, where {@code content} is the
 * event's canonical JSON as stored. Binding org and seq into the hash makes a row that was moved to
 * another org or position as detectable as one whose content changed.
 */
public final class HashChain {

    /** The previous hash of an org's first event. */
    public static final byte[] GENESIS = new byte[32];

    // Sorted keys at every level, so equal events give equal bytes whichever JVM wrote them.
    private static final ObjectMapper CANONICAL = new ObjectMapper()
            .configure(JsonNodeFeature.WRITE_PROPERTIES_SORTED, true);

    private HashChain() {
    }

    /**
     * The event as stored and hashed: its CloudEvents JSON as {@link EventCodec} writes it (so only
     * known fields), keys sorted, no whitespace.
     */
    public static String canonicalContent(KeywardEvent event) {
        try {
            return CANONICAL.writeValueAsString(CANONICAL.readTree(EventCodec.toJson(event)));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("event cannot be canonicalised", e);
        }
    }

    /** The hash of one link. */
    public static byte[] link(byte[] prevHash, String org, long seq, String content) {
        MessageDigest sha = sha256();
        sha.update(prevHash);
        sha.update((org + "\n" + seq + "\n" + content).getBytes(StandardCharsets.UTF_8));
        return sha.digest();
    }

    public static String hex(byte[] hash) {
        return HexFormat.of().formatHex(hash);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
