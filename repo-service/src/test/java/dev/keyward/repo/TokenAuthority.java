package dev.keyward.repo;

import java.util.List;
import java.util.Map;

/**
 * What the tests need from whoever issues tokens: the real token-service process
 * ({@link TokenServiceApi}) or the in-JVM stand-in ({@link InJvmTokenAuthority}).
 */
public interface TokenAuthority {

    String ORG = "acme";

    /** An issued token: its id and the raw key (shown once). */
    record Issued(String id, String token, String keyPrefix) {
    }

    Issued createToken(String kind, Map<String, List<String>> scopes, long expiresInSeconds, List<String> allowedCidrs);

    default Issued createRepoToken(Map<String, List<String>> scopes) {
        return createToken("repo", scopes, 86_400 * 30L, null);
    }

    default Issued createOrgToken(Map<String, List<String>> scopes) {
        return createToken("org", scopes, 86_400 * 30L, null);
    }

    /** Revokes a token; returns when the authority has committed the revocation. */
    void revoke(String tokenId);

    /** Registers a customer public JWK for org {@value #ORG}. */
    void registerKey(Map<String, Object> publicJwk);
}
