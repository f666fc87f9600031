package dev.keyward.token.rest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyward.contract.ApiException;
import dev.keyward.contract.Permission;
import dev.keyward.token.auth.ControlPlaneAuthenticator;
import dev.keyward.token.notify.ExpiryNotice;
import dev.keyward.token.notify.WebhookNotifier;
import dev.keyward.token.service.OrgService;
import dev.keyward.verification.quarkus.CurrentPrincipal;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.io.IOException;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * An org's notification settings ({@code org:admin}): where expiry notices go. The webhook URL
 * must pass the SSRF rules when it is set ({@link OrgService#putNotifications}) and again at every
 * delivery; the secret is write-only.
 */
@Tag(name = "Notifications", description = "Where an org hears of expiring tokens: e-mail and webhook")
@Path("/v1/orgs/{org}/notifications")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class OrgNotificationsResource {

    private static final Set<String> FIELDS = Set.of("contact_email", "webhook_url", "webhook_secret");

    private final ControlPlaneAuthenticator auth;
    private final OrgService orgs;
    private final CurrentPrincipal principal;
    private final WebhookNotifier webhooks;
    private final Vertx vertx;

    public OrgNotificationsResource(ControlPlaneAuthenticator auth, OrgService orgs, CurrentPrincipal principal,
                                    WebhookNotifier webhooks, Vertx vertx) {
        this.auth = auth;
        this.orgs = orgs;
        this.principal = principal;
        this.webhooks = webhooks;
        this.vertx = vertx;
    }

    @GET
    public Uni<Map<String, Object>> get(@PathParam("org") String org) {
        return auth.require(principal, Permission.ORG_ADMIN)
                .flatMap(caller -> orgs.get(caller, org))
                .map(OrgService::notificationsView);
    }

    @PUT
    public Uni<Map<String, Object>> put(@PathParam("org") String org, JsonNode body) {
        return auth.require(principal, Permission.ORG_ADMIN).flatMap(caller -> {
            OrgService.requireOrgAdmin(caller, org);
            if (body == null || !body.isObject()) {
                throw ApiException.badRequest("the body must be a JSON object {contact_email?, webhook_url?, webhook_secret?}");
            }
            for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
                String field = it.next();
                if (!FIELDS.contains(field)) {
                    throw new ApiException(422, "unknown_field", "unknown field '" + field
                            + "'; fields: contact_email, webhook_url, webhook_secret");
                }
            }
            String contact = OrgResource.text(body, "contact_email");
            String url = OrgResource.text(body, "webhook_url");
            String secret = OrgResource.text(body, "webhook_secret");
            return orgs.putNotifications(caller, org, contact, url, body.has("webhook_secret"), secret);
        }).map(OrgService::notificationsView);
    }

    /** Sends a signed {@code ping} to the webhook now and reports what came back. */
    @POST
    @Path("/test")
    @Consumes(MediaType.WILDCARD)
    public Uni<Map<String, Object>> test(@PathParam("org") String org) {
        return auth.require(principal, Permission.ORG_ADMIN)
                .flatMap(caller -> orgs.get(caller, org))
                .flatMap(entity -> {
                    if (entity.webhookUrl == null) {
                        throw ApiException.invalid("no webhook_url is set for this org");
                    }
                    Instant now = Instant.now();
                    ExpiryNotice ping = new ExpiryNotice("ping_" + UUID.randomUUID(), "ping", now.toString(), entity.id,
                            null, null, null, null);
                    String url = entity.webhookUrl;
                    String secret = entity.webhookSecret;
                    return vertx.executeBlocking(Uni.createFrom().item(() -> {
                        Map<String, Object> outcome = new LinkedHashMap<>();
                        outcome.put("webhook_url", url);
                        try {
                            int status = webhooks.deliver(url, secret, ping, now.getEpochSecond());
                            outcome.put("delivered", status / 100 == 2);
                            outcome.put("status", status);
                            if (status / 100 == 3) {
                                outcome.put("error", "the webhook answered with a redirect, which is not followed");
                            }
                        } catch (IOException e) {
                            outcome.put("delivered", false);
                            outcome.put("error", e.getMessage());
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            outcome.put("delivered", false);
                            outcome.put("error", "interrupted");
                        }
                        return outcome;
                    }));
                });
    }

}
