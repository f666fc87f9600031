package dev.keyward.token.auth;

import dev.keyward.contract.ApiException;
import dev.keyward.contract.Permission;
import dev.keyward.contract.Scopes;
import dev.keyward.contract.TokenKind;
import dev.keyward.token.auth.oidc.PersonAuthenticator;
import dev.keyward.token.domain.Caller;
import dev.keyward.token.domain.CreatedBy;
import dev.keyward.token.repository.TokenEntity;
import dev.keyward.token.repository.TokenRepository;
import dev.keyward.verification.CredentialForm;
import dev.keyward.verification.VerifiedPrincipal;
import dev.keyward.verification.quarkus.CurrentPrincipal;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Authenticates callers of the control-plane API through the shared verification module's
 * {@link CurrentPrincipal} (which resolves keys via {@link LocalVerificationSources}, i.e. this
 * service's own database, and enforces {@code allowed_cidrs}), then adds what only this service
 * knows about the presenting token (name, creator, environment). A bearer that is an access token
 * of the configured OIDC realm is a person instead, handled by {@link PersonAuthenticator}.
 * <p>
 * Refusals: 401 for missing or invalid credentials and 403 for a CIDR outside the allowlist (from
 * the verifier); 403 for repo tokens, customer-signed JWTs, exchanged tokens and missing permissions.
 * <p>
 * What a token row adds never changes after the token is issued (rotation changes only its key),
 * so it is read once per token and then kept in memory: the verifier has already refused a revoked
 * or expired token before the facts are looked up.
 */
@ApplicationScoped
public class ControlPlaneAuthenticator {

    /** Tokens whose facts are kept; past this the memory starts over (it is only a saving). */
    static final int MAX_REMEMBERED = 10_000;

    private final TokenRepository tokens;
    private final PersonAuthenticator people;
    private final Map<String, KeyFacts> remembered = new ConcurrentHashMap<>();

    public ControlPlaneAuthenticator(TokenRepository tokens, PersonAuthenticator people) {
        this.tokens = tokens;
        this.people = people;
    }

    /**
     * The caller, who must hold {@code permission} on the org resource ({@code null}: any org API
     * key; people are refused).
     */
    public Uni<Caller> require(CurrentPrincipal principal, Permission permission) {
        return require(principal, permission, new Permission[0]);
    }

    /**
     * The caller, who must hold {@code permission} or one of {@code alternatives} (e.g.
     * {@code orgs:read} for operators or {@code org:admin} for an org's own admins); which org the
     * call may touch is the service's next check.
     */
    public Uni<Caller> require(CurrentPrincipal principal, Permission permission, Permission... alternatives) {
        if (people.presentsOidcToken()) {
            if (permission == null) {
                return Uni.createFrom().failure(ApiException.forbidden(
                        "this call is for API keys; a signed-in person has no key of their own"));
            }
            return people.require(permission, alternatives);
        }
        return principal.authenticate().flatMap(verified -> {
            if (verified.kind() == TokenKind.REPO) {
                throw ApiException.forbidden("repo tokens cannot call the control plane");
            }
            requireApiKey(verified);
            if (permission == null) {
                return Uni.createFrom().item(verified);
            }
            Permission held = permission;
            for (Permission alternative : alternatives) {
                if (!verified.allowsOrg(held) && verified.allowsOrg(alternative)) {
                    held = alternative;
                }
            }
            // Deciding through the verifier also emits token:used (or a denial) for the audit trail.
            return principal.require(held);
        }).flatMap(verified -> factsOf(verified).map(facts -> facts.caller(verified, principal.clientIp())));
    }

    /**
     * The caller presenting an org or repo API key, whatever it holds: for what a key may do to
     * itself (read its own record). People, customer JWTs and exchanged tokens are refused (403).
     */
    public Uni<Caller> requireKey(CurrentPrincipal principal) {
        if (people.presentsOidcToken()) {
            return Uni.createFrom().failure(ApiException.forbidden(
                    "this call is for API keys; a signed-in person has no key of their own"));
        }
        return principal.authenticate().flatMap(verified -> {
            requireApiKey(verified);
            return factsOf(verified).map(facts -> facts.caller(verified, principal.clientIp()));
        });
    }

    private static void requireApiKey(VerifiedPrincipal verified) {
        if (verified.form() != CredentialForm.API_KEY) {
            String form = verified.form() == CredentialForm.EXCHANGED ? "exchanged tokens" : "customer-signed JWTs";
            throw ApiException.forbidden(form + " cannot call the control plane; use an org API key");
        }
    }

    private Uni<KeyFacts> factsOf(VerifiedPrincipal verified) {
        KeyFacts known = remembered.get(verified.tokenId());
        if (known != null && known.org().equals(verified.org())) {
            return Uni.createFrom().item(known);
        }
        return Panache.withSession(() -> tokens.findById(verified.tokenId())).map(token -> {
            if (token == null || !token.orgId.equals(verified.org())) {
                throw ApiException.unauthorized("the token is unknown");
            }
            KeyFacts facts = KeyFacts.of(token);
            if (remembered.size() >= MAX_REMEMBERED) {
                remembered.clear();
            }
            remembered.put(token.id, facts);
            return facts;
        });
    }

    /** What the control plane needs of a presenting token beyond what the verifier decided. */
    private record KeyFacts(String tokenId, String org, String name, Scopes scopes, String userId,
                            List<String> allowedCidrs) {

        static KeyFacts of(TokenEntity token) {
            // The root of the creation chain: a person, or the system-made key at the top. A key minted
            // by a key already carries its minter's root, so keys it mints count against that root too.
            String userId = CreatedBy.SYSTEM.equals(token.createdByType) ? token.id : token.createdByUserId;
            return new KeyFacts(token.id, token.orgId, token.name, token.scopes, userId, token.allowedCidrs);
        }

        Caller caller(VerifiedPrincipal verified, String clientIp) {
            return new Caller(tokenId, org, verified.keyPrefix(), name, verified.kind(), scopes, userId, clientIp,
                    allowedCidrs);
        }
    }
}
