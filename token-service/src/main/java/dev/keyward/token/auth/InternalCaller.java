package dev.keyward.token.auth;

import dev.keyward.contract.ApiException;
import dev.keyward.token.service.KeyHasher;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Guards the {@code /internal} endpoints with the service-to-service secret
 * ({@code keyward.internal.secret}, env {@code KEYWARD_INTERNAL_SECRET}; required in production).
 */
@ApplicationScoped
public class InternalCaller {

    public static final String HEADER = "X-Keyward-Internal";

    private final String secret;

    public InternalCaller(@ConfigProperty(name = "keyward.internal.secret") String secret) {
        if (secret == null || secret.isBlank()) {
            throw new IllegalStateException("keyward.internal.secret (KEYWARD_INTERNAL_SECRET) must be set");
        }
        this.secret = secret;
    }

    /** @throws ApiException 401 unless {@code presented} is the shared secret */
    public void require(String presented) {
        if (!KeyHasher.sameSecret(secret, presented)) {
            throw ApiException.unauthorized("internal endpoint: " + HEADER + " header missing or wrong");
        }
    }
}
