package dev.keyward.token.auth.oidc;

import dev.keyward.contract.ApiException;
import dev.keyward.contract.Permission;
import dev.keyward.token.domain.Caller;
import dev.keyward.token.domain.OrgIds;
import dev.keyward.verification.OidcBearer;
import dev.keyward.verification.OrgRulesCache;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * People on the control-plane API: a bearer that is an access token of the configured OIDC realm
 * is verified by quarkus-oidc (lazily: {@code quarkus.http.auth.proactive=false}, so Keyward keys
 * never reach it) and turned into a {@link Caller} with {@link PersonGrants}. Everything else is
 * left to the Keyward verifier.
 * <p>
 * Application-scoped, so its settings are read once: the request and the identity are the
 * container's request-scoped proxies, resolved on each call.
 */
@ApplicationScoped
public class PersonAuthenticator {

    private final HttpServerRequest request;
    private final CurrentIdentityAssociation identities;
    private final boolean enabled;
    private final Optional<String> issuer;
    private final OrgRulesCache orgs;

    public PersonAuthenticator(HttpServerRequest request, CurrentIdentityAssociation identities,
                               @ConfigProperty(name = "quarkus.oidc.tenant-enabled", defaultValue = "false") boolean enabled,
                               @ConfigProperty(name = "quarkus.oidc.token.issuer") Optional<String> issuer,
                               @ConfigProperty(name = "quarkus.oidc.auth-server-url") Optional<String> authServerUrl,
                               OrgRulesCache orgs) {
        this.orgs = orgs;
        this.request = request;
        this.identities = identities;
        this.enabled = enabled;
        this.issuer = issuer.or(() -> authServerUrl);
    }

    /** Whether this request presents an access token of the configured OIDC realm. */
    public boolean presentsOidcToken() {
        return enabled && issuer.isPresent() && OidcBearer.isFrom(issuer.get(), request.getHeader("Authorization"));
    }

    /**
     * The signed-in person, who must be allowed {@code permission} ({@code null}: any person).
     * 401 when the token does not verify, 403 without an {@code org} claim or a Keyward role.
     */
    public Uni<Caller> require(Permission permission, Permission... alternatives) {
        return identities.getDeferredIdentity()
                .onFailure(AuthenticationFailedException.class)
                .transform(e -> ApiException.unauthorized("the OIDC access token is not valid"))
                .map(identity -> {
                    if (identity == null || identity.isAnonymous()) {
                        throw ApiException.unauthorized("the OIDC access token is not valid");
                    }
                    Caller caller = toCaller(identity, clientIp());
                    if (orgs.of(caller.org()).refused()) {
                        throw ApiException.forbidden("your org is suspended");
                    }
                    PersonGrants grants = PersonGrants.of(identity.getRoles()).orElseThrow();
                    if (permission != null && !grants.allows(permission)
                            && java.util.Arrays.stream(alternatives).noneMatch(grants::allows)) {
                        throw ApiException.forbidden("your role does not allow " + permission.wireName());
                    }
                    return caller;
                });
    }

    /**
     * The {@link Caller} for a verified person. The org is the token's {@code org} claim, the id its
     * {@code sub}, the name {@code name} or else {@code preferred_username}.
     *
     * @throws ApiException 403 without an {@code org} claim or a Keyward role
     */
    public static Caller toCaller(SecurityIdentity identity, String clientIp) {
        if (!(identity.getPrincipal() instanceof JsonWebToken jwt)) {
            throw ApiException.unauthorized("not signed in through OIDC");
        }
        PersonGrants grants = PersonGrants.of(identity.getRoles()).orElseThrow(() -> ApiException.forbidden(
                "your identity has none of the roles " + PersonGrants.ORG_ADMIN + ", " + PersonGrants.ORG_MEMBER
                        + ", " + PersonGrants.OPERATOR));
        String org = grants.operator() ? OrgIds.PLATFORM : jwt.getClaim("org");
        if (org == null || org.isBlank()) {
            throw ApiException.forbidden("your identity has no org claim; ask an administrator to set your org");
        }
        String name = jwt.getClaim("name");
        if (name == null || name.isBlank()) {
            name = jwt.getClaim("preferred_username");
        }
        String subject = jwt.getSubject();
        if (subject == null || subject.isBlank()) {
            throw ApiException.unauthorized("the OIDC token has no subject");
        }
        String email = jwt.getClaim("email");
        return Caller.person(subject, name == null ? subject : name, org, grants.scopes(),
                grants.ownOnly(), clientIp, email == null || email.isBlank() ? null : email);
    }

    private String clientIp() {
        SocketAddress remote = request.remoteAddress();
        return remote == null ? null : remote.hostAddress();
    }
}
