package dev.keyward.token.rest;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.keyward.contract.ApiException;
import dev.keyward.contract.Permission;
import dev.keyward.token.auth.ControlPlaneAuthenticator;
import dev.keyward.token.domain.TokenRules;
import dev.keyward.token.repository.TrustPolicyEntity;
import dev.keyward.token.service.TrustPolicyService;
import dev.keyward.verification.quarkus.CurrentPrincipal;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** An org's trust policies for workload identity exchange, managed by its admins ({@code org:admin}). */
@Path("/v1/orgs/{org}/trust-policies")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class TrustPolicyResource {

    private final ControlPlaneAuthenticator auth;
    private final TrustPolicyService policies;
    private final CurrentPrincipal principal;

    public TrustPolicyResource(ControlPlaneAuthenticator auth, TrustPolicyService policies, CurrentPrincipal principal) {
        this.auth = auth;
        this.policies = policies;
        this.principal = principal;
    }

    /** {@code POST} body; {@code claims} and {@code max_ttl} may be left out. */
    record CreateRequest(String name, String issuer, String audience, String subject, Map<String, String> claims,
                         Map<String, List<String>> scopes, @JsonProperty("max_ttl") Long maxTtl) {
    }

    record PolicyView(String id, String name, String issuer, String audience, String subject, Map<String, String> claims,
                      Map<String, List<String>> scopes, @JsonProperty("max_ttl") long maxTtl,
                      @JsonProperty("created_at") Instant createdAt, @JsonProperty("created_by") String createdBy) {

        static PolicyView of(TrustPolicyEntity p) {
            return new PolicyView(p.id, p.name, p.issuer, p.audience, p.subject, p.claims, p.scopes.toWire(), p.maxTtlSeconds,
                    p.createdAt, p.createdBy);
        }
    }

    record PolicyList(@JsonProperty("trust_policies") List<PolicyView> trustPolicies) {
    }

    record Deleted(String id, boolean deleted) {
    }

    @POST
    public Uni<Response> create(@PathParam("org") String org, CreateRequest body) {
        return auth.require(principal, Permission.ORG_ADMIN).flatMap(caller -> {
            if (body == null) {
                throw ApiException.badRequest("request body is required: {name, issuer, audience, subject, scopes}");
            }
            return policies.create(caller, org, new TrustPolicyService.NewTrustPolicy(body.name(), body.issuer(),
                    body.audience(), body.subject(), body.claims(), body.scopes(), body.maxTtl()));
        }).map(created -> Response.status(Response.Status.CREATED).entity(PolicyView.of(created)).build());
    }

    @GET
    public Uni<PolicyList> list(@PathParam("org") String org) {
        return auth.require(principal, Permission.ORG_ADMIN)
                .flatMap(caller -> policies.list(caller, org))
                .map(all -> new PolicyList(all.stream().map(PolicyView::of).toList()));
    }

    @GET
    @Path("/{id}")
    public Uni<PolicyView> get(@PathParam("org") String org, @PathParam("id") String id) {
        return auth.require(principal, Permission.ORG_ADMIN)
                .flatMap(caller -> policies.get(caller, org, TokenRules.parameterText("id", id)))
                .map(PolicyView::of);
    }

    /** Its tokens are refused everywhere within a second. */
    @DELETE
    @Path("/{id}")
    public Uni<Deleted> delete(@PathParam("org") String org, @PathParam("id") String id) {
        return auth.require(principal, Permission.ORG_ADMIN)
                .flatMap(caller -> policies.delete(caller, org, TokenRules.parameterText("id", id)))
                .map(row -> new Deleted(row.id, true));
    }
}
