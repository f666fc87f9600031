package dev.keyward.token.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import dev.keyward.contract.ApiException;
import dev.keyward.contract.Permission;
import dev.keyward.token.auth.ControlPlaneAuthenticator;
import dev.keyward.token.repository.OrgEntity;
import dev.keyward.token.service.OrgService;
import dev.keyward.verification.quarkus.CurrentPrincipal;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Orgs and their policy. Platform operators ({@code orgs:*}) create, suspend, resume and delete
 * orgs and set caps; an org's own admins ({@code org:admin}) read their org and change its policy
 * within the caps.
 */
@Tag(name = "Orgs", description = "Onboarding, policy, suspension and deletion of orgs")
@Path("/v1/orgs")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class OrgResource {

    private static final Set<String> CREATE_FIELDS = Set.of("id", "name", "contact_email", "admin_token");

    private final ControlPlaneAuthenticator auth;
    private final OrgService orgs;
    private final CurrentPrincipal principal;

    public OrgResource(ControlPlaneAuthenticator auth, OrgService orgs, CurrentPrincipal principal) {
        this.auth = auth;
        this.orgs = orgs;
        this.principal = principal;
    }

    /** An org record; {@code admin_token} only in the answer to its creation. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record OrgView(String id, String name, @JsonProperty("created_at") Instant createdAt, String state,
                          @JsonProperty("state_changed_at") Instant stateChangedAt,
                          @JsonProperty("contact_email") String contactEmail, Map<String, Object> policy,
                          @JsonProperty("admin_token") Object adminToken) {
    }

    public record OrgList(List<OrgView> orgs) {
    }

    public record DeletedOrg(String id, boolean deleted, @JsonProperty("revoked_tokens") int revokedTokens) {
    }

    @POST
    public Uni<Response> create(JsonNode body) {
        return auth.require(principal, Permission.ORGS_WRITE).flatMap(caller -> {
            OrgService.NewOrg request = readCreate(body);
            return orgs.create(caller, request);
        }).map(created -> Response.status(Response.Status.CREATED).entity(view(created.org(),
                created.adminToken() == null ? null : TokenJson.IssuedView.of(created.adminToken()))).build());
    }

    @GET
    public Uni<OrgList> list() {
        return auth.require(principal, Permission.ORGS_READ, Permission.ORG_ADMIN)
                .flatMap(orgs::list)
                .map(all -> new OrgList(all.stream().map(o -> view(o, null)).toList()));
    }

    @GET
    @Path("/{org}")
    public Uni<OrgView> get(@PathParam("org") String org) {
        return auth.require(principal, Permission.ORGS_READ, Permission.ORG_ADMIN)
                .flatMap(caller -> orgs.get(caller, org))
                .map(o -> view(o, null));
    }

    @POST
    @Path("/{org}/suspend")
    @Consumes(MediaType.WILDCARD)
    public Uni<OrgView> suspend(@PathParam("org") String org) {
        return auth.require(principal, Permission.ORGS_WRITE).flatMap(caller -> orgs.suspend(caller, org)).map(o -> view(o, null));
    }

    @POST
    @Path("/{org}/resume")
    @Consumes(MediaType.WILDCARD)
    public Uni<OrgView> resume(@PathParam("org") String org) {
        return auth.require(principal, Permission.ORGS_WRITE).flatMap(caller -> orgs.resume(caller, org)).map(o -> view(o, null));
    }

    @DELETE
    @Path("/{org}")
    public Uni<DeletedOrg> delete(@PathParam("org") String org) {
        return auth.require(principal, Permission.ORGS_WRITE).flatMap(caller -> orgs.delete(caller, org))
                .map(revoked -> new DeletedOrg(org, true, revoked));
    }

    @GET
    @Path("/{org}/policy")
    public Uni<Map<String, Object>> policy(@PathParam("org") String org) {
        return auth.require(principal, Permission.ORG_ADMIN, Permission.ORGS_READ)
                .flatMap(caller -> orgs.get(caller, org))
                .map(orgs::policyView);
    }

    @PATCH
    @Path("/{org}/policy")
    public Uni<Map<String, Object>> patchPolicy(@PathParam("org") String org, JsonNode patch) {
        return auth.require(principal, Permission.ORG_ADMIN, Permission.ORGS_WRITE)
                .flatMap(caller -> orgs.patchPolicy(caller, org, patch))
                .map(orgs::policyView);
    }

    private OrgView view(OrgEntity o, Object adminToken) {
        return new OrgView(o.id, o.name, o.createdAt, o.state, o.stateChangedAt, o.contactEmail, orgs.policyView(o), adminToken);
    }

    private static OrgService.NewOrg readCreate(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw ApiException.badRequest("the body must be a JSON object {id, name, contact_email?, admin_token?}");
        }
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!CREATE_FIELDS.contains(field)) {
                throw new ApiException(422, "unknown_field", "unknown field '" + field + "'; fields: id, name, contact_email, admin_token");
            }
        }
        return new OrgService.NewOrg(text(body, "id"), text(body, "name"), text(body, "contact_email"),
                body.has("admin_token") && bool(body, "admin_token"));
    }

    static String text(JsonNode body, String field) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isTextual()) {
            throw ApiException.wrongType(field, "a string");
        }
        return n.asText();
    }

    static boolean bool(JsonNode body, String field) {
        JsonNode n = body.get(field);
        if (!n.isBoolean()) {
            throw ApiException.wrongType(field, "true or false");
        }
        return n.asBoolean();
    }
}
