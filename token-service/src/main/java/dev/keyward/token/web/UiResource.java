package dev.keyward.token.web;

import dev.keyward.contract.ApiException;
import dev.keyward.contract.Permission;
import dev.keyward.token.auth.oidc.PersonAuthenticator;
import dev.keyward.token.auth.oidc.PersonGrants;
import dev.keyward.token.domain.Caller;
import dev.keyward.token.domain.OrgPolicy;
import dev.keyward.token.repository.OrgEntity;
import dev.keyward.token.repository.TokenEntity;
import dev.keyward.token.service.NewToken;
import dev.keyward.token.service.OrgService;
import dev.keyward.token.service.TokenService;
import io.quarkus.oidc.AccessTokenCredential;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.RestQuery;

/**
 * The signed-in web pages (OIDC tenant {@code web}: authorization code + PKCE against the org's
 * realm, client {@code keyward-web}). A person lists the tokens they may see (an org admin: the
 * org's; an org member: their own), creates one (the secret is shown once), revokes one, and sees
 * recent activity. The same rules as the API apply: this calls {@link TokenService} with the
 * person as the {@link Caller}. Form posts carry a CSRF token ({@link CsrfTokens}). Without the
 * {@code web} tenant (no {@code KEYWARD_OIDC_URL}) the page says how to enable sign-in.
 */
@Path("/ui")
@Produces(MediaType.TEXT_HTML)
public class UiResource {

    /** Permissions granted on repositories ({@code repos:<pattern>}); the rest are org permissions. */
    private static final List<String> REPO_PERMISSIONS = List.of("git:read", "git:write", "repo:write");
    private static final int PAGE = TokenService.MAX_PAGE_SIZE;

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance tokens(UiPage page);

        static native TemplateInstance signedOut();

        static native TemplateInstance signInNotConfigured();
    }

    private final CurrentIdentityAssociation identities;
    private final TokenService tokens;
    private final CsrfTokens csrf;
    private final ActivityFeed activity;
    private final HttpServerRequest request;
    private final OrgService orgs;
    private final boolean signInConfigured;

    public UiResource(CurrentIdentityAssociation identities, TokenService tokens, CsrfTokens csrf,
                      ActivityFeed activity, HttpServerRequest request,
                      OrgService orgs,
                      @ConfigProperty(name = "quarkus.oidc.web.tenant-enabled") boolean signInConfigured) {
        this.orgs = orgs;
        this.signInConfigured = signInConfigured;
        this.identities = identities;
        this.tokens = tokens;
        this.csrf = csrf;
        this.activity = activity;
        this.request = request;
    }

    @GET
    public Uni<Response> page(@RestQuery String notice) {
        if (!signInConfigured) {
            // Without an identity provider nobody can sign in: say how to enable it rather than a bare 401.
            return Uni.createFrom().item(Response.ok(Templates.signInNotConfigured())
                    .header("Cache-Control", "no-store").build());
        }
        return signedIn().flatMap(s -> render(s, null, null, notice == null ? null : noticeText(notice)))
                .map(page -> Response.ok(page).build());
    }

    @POST
    @Path("/tokens")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Uni<Response> create(@RestForm("csrf") String csrfToken, @RestForm String name, @RestForm String kind,
                                @RestForm String repos, @RestForm("permission") List<String> permissions,
                                @RestForm("expires_days") Long expiresDays) {
        return signedIn().flatMap(s -> {
            checkCsrf(s, csrfToken);
            NewToken request = new NewToken(name, kind == null ? "org" : kind, scopes(repos, permissions),
                    expiresDays == null ? null : expiresDays * 86_400, null, null);
            return tokens.create(s.caller(), request)
                    .flatMap(issued -> render(s, new UiPage.Issued(issued.token().id, issued.token().name, issued.key()),
                            null, null))
                    .onFailure(ApiException.class).recoverWithUni(e -> render(s, null, e.getMessage(), null))
                    // The page holds a secret: no cache may keep it.
                    .map(page -> Response.ok(page).header("Cache-Control", "no-store").build());
        });
    }

    @POST
    @Path("/tokens/{id}/revoke")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Uni<Response> revoke(@PathParam("id") String id, @RestForm("csrf") String csrfToken) {
        return signedIn().flatMap(s -> {
            checkCsrf(s, csrfToken);
            return tokens.revoke(s.caller(), id);
        }).map(token -> Response.seeOther(URI.create("/ui?notice=revoked")).build());
    }

    /** An org admin changes the org's policy: the fields of the form, as one PATCH. */
    @POST
    @Path("/policy")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Uni<Response> policy(@RestForm("csrf") String csrfToken, @RestForm("max_tokens_per_creator") String perCreator,
                                @RestForm("default_ttl_days") String defaultTtlDays, @RestForm("max_ttl_days") String maxTtlDays,
                                @RestForm("allow_never_expiring") String allowNever, @RestForm("notice_days") String noticeDays,
                                @RestForm("default_allowed_cidrs") String cidrs, @RestForm("leak_action") String leakAction) {
        return signedIn().flatMap(s -> {
            checkCsrf(s, csrfToken);
            com.fasterxml.jackson.databind.node.ObjectNode patch = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
            patch.put("max_tokens_per_creator", number("max_tokens_per_creator", perCreator));
            patch.put("max_ttl", number("max_ttl_days", maxTtlDays) * 86_400);
            patch.put("default_ttl", number("default_ttl_days", defaultTtlDays) * 86_400);
            patch.put("allow_never_expiring", allowNever != null);
            patch.put("notice_days", number("notice_days", noticeDays));
            com.fasterxml.jackson.databind.node.ArrayNode blocks = patch.putArray("default_allowed_cidrs");
            for (String block : cidrs == null ? new String[0] : cidrs.split("[,\\s]+")) {
                if (!block.isBlank()) {
                    blocks.add(block.trim());
                }
            }
            patch.put("leak_action", leakAction == null ? OrgPolicy.BLOCK_AND_REVOKE : leakAction);
            return orgs.patchPolicy(s.caller(), s.caller().org(), patch)
                    .map(ignored -> Response.seeOther(URI.create("/ui?notice=policy")).build())
                    .onFailure(ApiException.class).recoverWithUni(e -> render(s, null, e.getMessage(), null)
                            .map(page -> Response.ok(page).build()));
        });
    }

    /** An org admin changes where expiry notices go; an empty secret field keeps the current secret. */
    @POST
    @Path("/notifications")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Uni<Response> notifications(@RestForm("csrf") String csrfToken, @RestForm("contact_email") String contact,
                                       @RestForm("webhook_url") String webhookUrl, @RestForm("webhook_secret") String secret) {
        return signedIn().flatMap(s -> {
            checkCsrf(s, csrfToken);
            String url = webhookUrl == null || webhookUrl.isBlank() ? null : webhookUrl.trim();
            boolean secretGiven = secret != null && !secret.isEmpty();
            return orgs.putNotifications(s.caller(), s.caller().org(),
                            contact == null || contact.isBlank() ? null : contact.trim(), url, secretGiven,
                            secretGiven ? secret : null)
                    .map(ignored -> Response.seeOther(URI.create("/ui?notice=notifications")).build())
                    .onFailure(ApiException.class).recoverWithUni(e -> render(s, null, e.getMessage(), null)
                            .map(page -> Response.ok(page).build()));
        });
    }

    private static long number(String field, String value) {
        try {
            return Long.parseLong(value == null ? "" : value.trim());
        } catch (NumberFormatException e) {
            throw ApiException.invalid(field + " must be a whole number");
        }
    }

    /** Where the provider sends the browser after sign-out (RP-initiated logout at {@code /ui/logout}). */
    @GET
    @Path("/signed-out")
    public TemplateInstance signedOut() {
        return Templates.signedOut();
    }

    private record SignedIn(Caller caller, PersonGrants grants, String sessionId, String accessToken) {
    }

    private Uni<SignedIn> signedIn() {
        return identities.getDeferredIdentity().map(identity -> {
            if (identity == null || identity.isAnonymous()) {
                throw ApiException.unauthorized("sign in first");
            }
            Caller caller = PersonAuthenticator.toCaller(identity, clientIp());
            PersonGrants grants = PersonGrants.of(identity.getRoles()).orElseThrow();
            return new SignedIn(caller, grants, sessionId(identity), accessToken(identity));
        });
    }

    private Uni<TemplateInstance> render(SignedIn s, UiPage.Issued issued, String error, String notice) {
        Instant now = Instant.now();
        Uni<UiPage.Settings> settings = s.grants().scopes().allowsOrg(Permission.ORG_ADMIN)
                ? orgs.get(s.caller(), s.caller().org()).map(UiResource::settingsOf)
                : Uni.createFrom().nullItem();
        return settings.flatMap(orgSettings -> tokens.list(s.caller(), false, PAGE, null).flatMap(page -> {
            List<TokenEntity> visible = page.tokens();
            List<UiPage.Row> rows = new ArrayList<>(visible.stream().map(t -> UiPage.Row.of(t, now)).toList());
            Collections.reverse(rows); // newest first
            return activity.recent(s.grants().scopes().allowsOrg(Permission.AUDIT_READ), s.accessToken(), visible)
                    .map(feed -> Templates.tokens(new UiPage(s.caller().name(), s.caller().org(), s.grants().role(),
                            !s.grants().ownOnly(), csrf.issue(s.caller().userId(), s.sessionId()), rows, issued, error,
                            notice, feed, grantable(s.grants()), orgSettings)));
        }));
    }

    private static UiPage.Settings settingsOf(OrgEntity org) {
        OrgPolicy p = org.policy();
        return new UiPage.Settings(p.maxActivePerUser(), p.maxActivePerOrg(), p.defaultTtlSeconds() / 86_400,
                p.maxExpiresInSeconds() / 86_400, p.allowNeverExpiring(), p.noticeDays(), String.join(", ", p.defaultCidrs()),
                p.leakAction(), org.contactEmail, org.webhookUrl, org.webhookSecret != null);
    }

    private void checkCsrf(SignedIn s, String presented) {
        if (!csrf.matches(presented, s.caller().userId(), s.sessionId())) {
            throw ApiException.forbidden("the form is stale or was not sent by this page; reload and try again");
        }
    }

    /** The form's checkboxes become scopes: repository permissions on {@code repos:<pattern>}, the rest on {@code org}. */
    static Map<String, List<String>> scopes(String repos, List<String> permissions) {
        String pattern = repos == null || repos.isBlank() ? "*" : repos.trim();
        Map<String, List<String>> scopes = new LinkedHashMap<>();
        for (String permission : permissions == null ? List.<String>of() : permissions) {
            String resource = REPO_PERMISSIONS.contains(permission) ? "repos:" + pattern : "org";
            scopes.computeIfAbsent(resource, r -> new ArrayList<>()).add(permission);
        }
        return scopes;
    }

    private static List<String> grantable(PersonGrants grants) {
        return grants.scopes().toWire().values().stream().flatMap(List::stream).distinct().toList();
    }

    private static String noticeText(String notice) {
        return switch (notice) {
            case "revoked" -> "The token was revoked.";
            case "policy" -> "The org's policy was saved.";
            case "notifications" -> "The notification settings were saved.";
            default -> null;
        };
    }

    // The ID token's session id ties a CSRF token to one sign-in; its issue time stands in without one.
    private static String sessionId(SecurityIdentity identity) {
        if (identity.getPrincipal() instanceof JsonWebToken jwt) {
            Object sid = jwt.getClaim("sid");
            return sid != null ? sid.toString() : String.valueOf(jwt.getIssuedAtTime());
        }
        return "";
    }

    private static String accessToken(SecurityIdentity identity) {
        AccessTokenCredential credential = identity.getCredential(AccessTokenCredential.class);
        return credential == null ? null : credential.getToken();
    }

    private String clientIp() {
        SocketAddress remote = request.remoteAddress();
        return remote == null ? null : remote.hostAddress();
    }
}
