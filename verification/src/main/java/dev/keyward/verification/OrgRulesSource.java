package dev.keyward.verification;

import dev.keyward.contract.OrgRules;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * The rules of every org that differ from {@link OrgRules#DEFAULT} or whose state is not active.
 * The default asks token-service ({@code GET /internal/orgs/rules}); token-service reads its database.
 */
public interface OrgRulesSource {

    /** Completes exceptionally when the rules cannot be had. */
    CompletionStage<Map<String, OrgRules>> all();

    /** No source: every org has the defaults (plain tests, tools). */
    static OrgRulesSource none() {
        return () -> java.util.concurrent.CompletableFuture.completedFuture(Map.of());
    }
}
