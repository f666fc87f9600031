package dev.keyward.verification;

import dev.keyward.contract.RefusalReason;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;

/**
 * Finds the token in a request's headers: {@code Authorization: Bearer <t>}, {@code x-api-key: <t>},
 * or HTTP Basic with any user name and the token as password (what git sends).
 *
 * @param token   the raw token; null when refused
 * @param refusal why no token could be taken; null when there is one
 */
public record PresentedCredential(String token, Verification.Refused refusal) {

    /** Tokens longer than this are refused before any parsing. */
    public static final int MAX_TOKEN_LENGTH = 8192;

    /**
     * Extracts the token from the two headers (either may be null).
     * Both present with different tokens is refused as ambiguous.
     */
    public static PresentedCredential extract(String authorization, String apiKeyHeader) {
        String fromAuthorization = null;
        if (authorization != null && !authorization.isBlank()) {
            Optional<String> parsed = fromAuthorization(authorization.trim());
            if (parsed.isEmpty()) {
                return refused(RefusalReason.MALFORMED,
                        "Authorization must be 'Bearer <token>' or Basic with the token as password");
            }
            fromAuthorization = parsed.get();
        }
        // trim(), not isBlank(): control characters are trimmed but are not "blank", and must not leave an empty token
        String fromHeader = apiKeyHeader == null || apiKeyHeader.trim().isEmpty() ? null : apiKeyHeader.trim();
        if (fromAuthorization != null && fromHeader != null && !fromAuthorization.equals(fromHeader)) {
            return refused(RefusalReason.MALFORMED, "Authorization and x-api-key carry different tokens");
        }
        String token = fromAuthorization != null ? fromAuthorization : fromHeader;
        if (token == null) {
            return refused(RefusalReason.MISSING, "credentials are required");
        }
        if (token.length() > MAX_TOKEN_LENGTH) {
            return refused(RefusalReason.MALFORMED, "token is too long");
        }
        return new PresentedCredential(token, null);
    }

    public boolean isPresent() {
        return token != null;
    }

    private static Optional<String> fromAuthorization(String header) {
        int space = header.indexOf(' ');
        if (space < 0) {
            return Optional.empty();
        }
        String scheme = header.substring(0, space).toLowerCase(Locale.ROOT);
        String value = header.substring(space + 1).trim();
        if (value.isEmpty()) {
            return Optional.empty();
        }
        return switch (scheme) {
            case "bearer" -> Optional.of(value);
            case "basic" -> basicPassword(value);
            default -> Optional.empty();
        };
    }

    private static Optional<String> basicPassword(String encoded) {
        byte[] decoded;
        try {
            decoded = Base64.getDecoder().decode(encoded);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        String userAndPassword = new String(decoded, StandardCharsets.UTF_8);
        int colon = userAndPassword.indexOf(':');
        if (colon < 0) {
            return Optional.empty();
        }
        String password = userAndPassword.substring(colon + 1).trim();
        return password.isEmpty() ? Optional.empty() : Optional.of(password);
    }

    private static PresentedCredential refused(RefusalReason reason, String message) {
        return new PresentedCredential(null, Verification.refused(reason, message));
    }
}
