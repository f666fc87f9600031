package dev.keyward.audit.auth;

import dev.keyward.contract.Permission;
import dev.keyward.contract.RefusalReason;
import dev.keyward.verification.OidcBearer;
import dev.keyward.verification.OrgRulesCache;
import dev.keyward.verification.Verification;
import dev.keyward.verification.VerifiedPrincipal;
import dev.keyward.verification.quarkus.CurrentPrincipal;
import dev.keyward.verification.quarkus.KeywardAuthException;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;
import jakarta.enterprise.context.RequestScoped;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * Who may read the audit trail, and of which org: a Keyward token with {@code audit:read} (the
 * verification module decides), or a person signed in through the org's OIDC realm with the
 * {@code org-admin} role, whose org is the access token's {@code org} claim. An {@code org-member}
 * is refused (403). The OIDC access token is verified by quarkus-oidc (JWKS signature, issuer,
 * audience {@code keyward-api}), lazily, so Keyward keys never reach it.
 */
@RequestScoped
public class AuditReaders {

    static final String ORG_ADMIN = "org-admin";

    private final CurrentPrincipal keyward;
    private final HttpServerRequest request;
    private final CurrentIdentityAssociation identities;
    private final boolean oidcEnabled;
    private final Optional<String> issuer;
    private final OrgRulesCache orgs;

    public AuditReaders(CurrentPrincipal keyward, HttpServerRequest request, CurrentIdentityAssociation identities,
                        OrgRulesCache orgs,
                        @ConfigProperty(name = "quarkus.oidc.tenant-enabled", defaultValue = "false") boolean oidcEnabled,
                        @ConfigProperty(name = "quarkus.oidc.token.issuer") Optional<String> issuer,
                        @ConfigProperty(name = "quarkus.oidc.auth-server-url") Optional<String> authServerUrl) {
        this.keyward = keyward;
        this.orgs = orgs;
        this.request = request;
        this.identities = identities;
        this.oidcEnabled = oidcEnabled;
        this.issuer = issuer.or(() -> authServerUrl);
    }

    /** The org whose trail the caller may read; fails with a 401/403 {@link KeywardAuthException} otherwise. */
    public Uni<String> requireAuditRead() {
        if (!oidcEnabled || issuer.isEmpty() || !OidcBearer.isFrom(issuer.get(), request.getHeader("Authorization"))) {
            return keyward.require(Permission.AUDIT_READ).map(VerifiedPrincipal::org);
        }
        return identities.getDeferredIdentity()
                .onFailure(AuthenticationFailedException.class)
                .transform(e -> refused(RefusalReason.INVALID_CLAIMS, "the OIDC access token is not valid"))
                .map(identity -> {
                    if (identity == null || identity.isAnonymous() || !(identity.getPrincipal() instanceof JsonWebToken jwt)) {
                        throw refused(RefusalReason.INVALID_CLAIMS, "the OIDC access token is not valid");
                    }
                    String org = jwt.getClaim("org");
                    if (org == null || org.isBlank()) {
                        throw refused(RefusalReason.SCOPE, "your identity has no org claim");
                    }
                    if (!identity.hasRole(ORG_ADMIN)) {
                        throw refused(RefusalReason.SCOPE, "reading the audit trail needs the " + ORG_ADMIN + " role");
                    }
                    if (orgs.of(org).refused()) {
                        throw refused(RefusalReason.ORG_SUSPENDED, "your org is suspended");
                    }
                    return org;
                });
    }

    private static KeywardAuthException refused(RefusalReason reason, String message) {
        return new KeywardAuthException(new Verification.Refused(reason, message, null, null, null));
    }
}
