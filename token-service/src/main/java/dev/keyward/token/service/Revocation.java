package dev.keyward.token.service;

import java.util.List;

/**
 * What a cascading revocation did.
 *
 * @param id      the token named in the call
 * @param revoked the tokens this call revoked (the named one, unless it was revoked before, and its descendants)
 */
public record Revocation(String id, List<String> revoked) {

    public Revocation {
        revoked = List.copyOf(revoked);
    }
}
