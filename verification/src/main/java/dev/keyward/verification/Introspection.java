package dev.keyward.verification;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What the token service says about an opaque key (the body of {@code POST /internal/introspect}).
 * For an inactive key only {@code active=false} and {@code reason} ({@code unknown}, {@code revoked},
 * {@code expired}) are set.
 */
public record Introspection(
        boolean active,
        String reason,
        String id,
        String org,
        String subject,
        String kind,
        String environment,
        Map<String, List<String>> scopes,
        String keyPrefix,
        Instant expiresAt,
        List<String> allowedCidrs) {

    public static Introspection inactive(String reason) {
        return new Introspection(false, reason, null, null, null, null, null, null, null, null, null);
    }
}
