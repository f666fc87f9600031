package dev.keyward.verification;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Base64;
import java.util.Optional;

/**
 * Tells an OIDC access token apart from a Keyward credential, by the unverified {@code iss} claim
 * of a bearer JWT. Only routing: the token is then verified in full by quarkus-oidc (signature via
 * the provider's JWKS, issuer, audience), so a forged {@code iss} gains nothing.
 */
public final class OidcBearer {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String BEARER = "bearer ";

    private OidcBearer() {
    }

    /** Whether {@code authorization} is {@code Bearer <JWT>} whose {@code iss} is {@code issuer}. */
    public static boolean isFrom(String issuer, String authorization) {
        return issuerOf(authorization).filter(iss -> sameIssuer(iss, issuer)).isPresent();
    }

    /** The {@code iss} of a bearer JWT, unverified; empty for anything else (API keys, Basic, garbage). */
    public static Optional<String> issuerOf(String authorization) {
        if (authorization == null || authorization.length() <= BEARER.length()
                || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return Optional.empty();
        }
        String[] parts = authorization.substring(BEARER.length()).trim().split("\\.", -1);
        if (parts.length != 3) {
            return Optional.empty();
        }
        try {
            JsonNode iss = JSON.readTree(Base64.getUrlDecoder().decode(parts[1])).get("iss");
            return iss != null && iss.isTextual() ? Optional.of(iss.asText()) : Optional.empty();
        } catch (IllegalArgumentException | IOException e) {
            return Optional.empty();
        }
    }

    private static boolean sameIssuer(String a, String b) {
        return b != null && trimSlash(a).equals(trimSlash(b));
    }

    private static String trimSlash(String s) {
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }
}
