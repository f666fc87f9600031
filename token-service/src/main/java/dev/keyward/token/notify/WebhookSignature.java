package dev.keyward.token.notify;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs webhook deliveries: {@code X-Keyward-Signature: sha256=<hex HMAC-SHA-256(secret,
 * "<timestamp>.<body>")>} with {@code X-Keyward-Timestamp: <unix seconds>}. Signing the timestamp
 * with the body lets receivers refuse replays of an old delivery (reject timestamps older than a
 * few minutes); the {@code X-Keyward-Delivery} id lets them drop a retried duplicate.
 */
public final class WebhookSignature {

    public static final String SIGNATURE_HEADER = "X-Keyward-Signature";
    public static final String TIMESTAMP_HEADER = "X-Keyward-Timestamp";
    public static final String DELIVERY_HEADER = "X-Keyward-Delivery";
    public static final String EVENT_HEADER = "X-Keyward-Event";

    private WebhookSignature() {
    }

    public static String sign(String secret, long timestampSeconds, String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            byte[] digest = mac.doFinal((timestampSeconds + "." + body).getBytes(StandardCharsets.UTF_8));
            return "sha256=" + HexFormat.of().formatHex(digest);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }
}
