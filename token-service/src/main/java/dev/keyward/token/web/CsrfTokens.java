package dev.keyward.token.web;

import dev.keyward.token.service.KeyHasher;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * CSRF tokens for the /ui form posts: an HMAC of the person's id and their sign-in session id, so
 * a token is only good for one person's one session and needs no server-side state (every replica
 * computes the same). The session cookie is also SameSite=Lax; this closes the rest.
 */
@ApplicationScoped
public class CsrfTokens {

    private final SecretKeySpec key;

    public CsrfTokens(@ConfigProperty(name = "keyward.pepper") String pepper) {
        // A key of its own, derived from the pepper, so a CSRF token never equals a stored key hash.
        this.key = new SecretKeySpec(hmac(new SecretKeySpec(pepper.getBytes(StandardCharsets.UTF_8), "HmacSHA256"),
                "keyward-ui-csrf"), "HmacSHA256");
    }

    /** The token to put in the forms of this session. */
    public String issue(String userId, String sessionId) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(
                hmac(key, userId + "\n" + (sessionId == null ? "" : sessionId)));
    }

    /** Whether {@code presented} is this session's token (constant-time). */
    public boolean matches(String presented, String userId, String sessionId) {
        return presented != null && KeyHasher.sameSecret(issue(userId, sessionId), presented);
    }

    private static byte[] hmac(SecretKeySpec key, String text) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac.doFinal(text.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }
}
