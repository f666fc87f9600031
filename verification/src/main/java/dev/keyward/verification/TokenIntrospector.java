package dev.keyward.verification;

import dev.keyward.contract.Introspection;
import java.util.concurrent.CompletionStage;

/**
 * Looks up an opaque API key. The default asks token-service over HTTP ({@link TokenServiceClient});
 * token-service itself plugs in one that reads its own database.
 */
public interface TokenIntrospector {

    /**
     * Claims of {@code apiKey} (already checked by {@link ApiKeyFormat}). Completes exceptionally
     * only when the answer cannot be had (network, 5xx); an unknown key is an inactive result.
     */
    CompletionStage<Introspection> introspect(String apiKey);
}
