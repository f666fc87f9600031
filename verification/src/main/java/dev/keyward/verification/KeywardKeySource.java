package dev.keyward.verification;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The public keys (JWKs as JSON maps) Keyward signs exchanged tokens with. The default asks
 * token-service ({@code GET /.well-known/jwks.json}); token-service plugs in its database. Results
 * are cached like an org's keys, by an {@link OrgKeyCache}.
 */
public interface KeywardKeySource {

    /** Keyward's public signing JWKs; completes exceptionally when they cannot be had. */
    CompletionStage<List<Map<String, Object>>> keywardKeys();

    /** No keys: every exchanged token is refused (plain tests, tools). */
    static KeywardKeySource none() {
        return () -> CompletableFuture.completedFuture(List.of());
    }
}
