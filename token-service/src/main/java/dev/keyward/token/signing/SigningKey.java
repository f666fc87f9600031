package dev.keyward.token.signing;

import java.security.PrivateKey;
import java.time.Instant;

/**
 * The key Keyward signs with now, opened from its row.
 *
 * @param kid        the key id JWT headers name
 * @param privateKey the EC P-256 private key (never logged: {@link #toString} names the kid only)
 * @param createdAt  when it was made
 */
public record SigningKey(String kid, PrivateKey privateKey, Instant createdAt) {

    @Override
    public String toString() {
        return "SigningKey[kid=" + kid + ", createdAt=" + createdAt + "]";
    }
}
