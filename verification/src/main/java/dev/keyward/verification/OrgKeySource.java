package dev.keyward.verification;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * The public keys (JWKs as JSON maps) an org registered for signing its own JWTs. The default asks
 * token-service ({@code GET /internal/orgs/{org}/keys}); token-service plugs in its database.
 * Results are cached by {@link OrgKeyCache}.
 */
public interface OrgKeySource {

    /** The org's public JWKs; an unknown org has none. Completes exceptionally when it cannot be asked. */
    CompletionStage<List<Map<String, Object>>> keys(String org);
}
