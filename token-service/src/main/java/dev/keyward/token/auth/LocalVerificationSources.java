package dev.keyward.token.auth;

import dev.keyward.contract.ApiKeyFormat;
import dev.keyward.contract.Introspection;
import dev.keyward.contract.OrgRules;
import dev.keyward.token.repository.BlockingDatabase;
import dev.keyward.token.repository.TokenEntity;
import dev.keyward.token.service.KeyResolver;
import dev.keyward.token.service.OrgService;
import dev.keyward.token.service.PublicKeyService;
import dev.keyward.token.signing.SigningKeys;
import dev.keyward.verification.KeywardKeySource;
import dev.keyward.verification.OrgKeySource;
import dev.keyward.verification.OrgRulesSource;
import dev.keyward.verification.TokenIntrospector;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * The shared verifier's sources, read from this service's own database instead of over HTTP
 * (token-service must not introspect by calling itself). Replaces the verification module's
 * default beans.
 */
@ApplicationScoped
public class LocalVerificationSources implements TokenIntrospector, OrgKeySource, OrgRulesSource, KeywardKeySource {

    private static final Logger LOG = Logger.getLogger(LocalVerificationSources.class);

    private final KeyResolver resolver;
    private final PublicKeyService keys;
    private final BlockingDatabase database;
    private final SigningKeys signingKeys;

    private final jakarta.enterprise.inject.Instance<OrgService> orgs;

    // OrgService is looked up lazily: it needs the verifier, which is built from these sources.
    public LocalVerificationSources(KeyResolver resolver, PublicKeyService keys, BlockingDatabase database,
                                    SigningKeys signingKeys, jakarta.enterprise.inject.Instance<OrgService> orgs) {
        this.signingKeys = signingKeys;
        this.orgs = orgs;
        this.resolver = resolver;
        this.keys = keys;
        this.database = database;
    }

    @Override
    public CompletionStage<Introspection> introspect(String apiKey) {
        return onOwnContext(() -> resolver.resolve(apiKey).map(r -> r.active()
                ? toIntrospection(r.token(), ApiKeyFormat.prefixOf(apiKey))
                : Introspection.inactive(r.inactiveReason())));
    }

    @Override
    public CompletionStage<List<Map<String, Object>>> keys(String org) {
        return onOwnContext(() -> keys.publicKeysOf(org)
                .map(list -> list.stream().<Map<String, Object>>map(HashMap::new).toList()));
    }

    @Override
    public CompletionStage<List<Map<String, Object>>> keywardKeys() {
        return onOwnContext(signingKeys::publishedJwks);
    }

    @Override
    public CompletionStage<Map<String, OrgRules>> all() {
        return onOwnContext(() -> orgs.get().rules());
    }

    static Introspection toIntrospection(TokenEntity t, String presentedPrefix) {
        return new Introspection(true, null, t.id, t.orgId, t.createdByUserId, t.kind.wireName(),
                t.environment.wireName(), t.scopes.toWire(), presentedPrefix, t.expiresAt, t.allowedCidrs);
    }

    // Hibernate Reactive needs a safe Vert.x context of its own; the verifier may call from any thread.
    private <T> CompletionStage<T> onOwnContext(Supplier<Uni<T>> work) {
        return database.onOwnContext(work).whenComplete((ignored, failure) -> {
            if (failure != null) {
                LOG.warnf("local introspection failed: %s", failure.toString());
            }
        });
    }
}
