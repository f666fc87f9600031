package dev.keyward.audit;

import dev.keyward.contract.ApiKeyFormat;
import dev.keyward.contract.Introspection;
import dev.keyward.contract.TokenKind;
import dev.keyward.verification.TokenIntrospector;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Real API keys (made by {@link ApiKeyFormat#generate}) whose introspection answers come from this
 * JVM instead of token-service: the test replaces the verification module's HTTP introspector bean,
 * everything else (extraction, format check, caching, scope decision) is the real module.
 */
@ApplicationScoped
public class TestKeys implements TokenIntrospector {

    private static final Map<String, Introspection> KEYS = new ConcurrentHashMap<>();

    /** A new org token of {@code org} holding {@code permissions} at the org level. */
    static String orgKey(String org, String... permissions) {
        String key = ApiKeyFormat.generate(ApiKeyFormat.Environment.PROD, TokenKind.ORG);
        KEYS.put(key, new Introspection(true, null, "tok_" + UUID.randomUUID().toString().replace("-", ""), org,
                "user-" + org, TokenKind.ORG.wireName(), "prod", Map.of("org", List.of(permissions)),
                ApiKeyFormat.prefixOf(key), Instant.now().plus(1, ChronoUnit.DAYS), List.of()));
        return key;
    }

    /** A new key that can read the audit trail of {@code org}. */
    static String auditor(String org) {
        return orgKey(org, "audit:read");
    }

    @Override
    public CompletionStage<Introspection> introspect(String apiKey) {
        return CompletableFuture.completedFuture(KEYS.getOrDefault(apiKey, Introspection.inactive("unknown")));
    }
}
