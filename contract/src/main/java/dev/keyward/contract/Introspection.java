package dev.keyward.contract;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What the token service says about an opaque key (the body of {@code POST /internal/introspect}).
 * For an inactive key only {@code active=false} and {@code reason} ({@code unknown}, {@code revoked},
 * {@code expired}) are set. Both sides bind this one record (snake_case names on the wire; an
 * {@code Instant} as ISO-8601 text, so a reader needs Jackson's Java-time module).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
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
