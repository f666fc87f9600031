package dev.keyward.token.rest;

import dev.keyward.contract.ApiException;
import dev.keyward.contract.Permission;
import dev.keyward.token.auth.ControlPlaneAuthenticator;
import dev.keyward.token.service.PublicKeyService;
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
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Customer public keys (JWK) of an org, managed by its org admins ({@code org:admin}). */
@Tag(name = "Customer keys", description = "Public keys an org signs its own JWTs with")
@Path("/v1/orgs/{org}/keys")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class OrgKeysResource {

    private final ControlPlaneAuthenticator auth;
    private final PublicKeyService keys;
    private final CurrentPrincipal principal;

    public OrgKeysResource(ControlPlaneAuthenticator auth, PublicKeyService keys, CurrentPrincipal principal) {
        this.auth = auth;
        this.keys = keys;
        this.principal = principal;
    }

    record KeySet(List<Map<String, String>> keys) {
    }

    record DeletedKey(String kid, boolean deleted) {
    }

    @POST
    public Uni<Response> register(@PathParam("org") String org,
                                  Map<String, Object> jwk) {
        return auth.require(principal, Permission.ORG_ADMIN).flatMap(caller -> {
            if (jwk == null) {
                throw ApiException.badRequest("request body is required: a public JWK");
            }
            return keys.register(caller, org, jwk);
        }).map(stored -> Response.status(Response.Status.CREATED).entity(stored).build());
    }

    @GET
    public Uni<KeySet> list(@PathParam("org") String org) {
        return auth.require(principal, Permission.ORG_ADMIN)
                .flatMap(caller -> keys.list(caller, org))
                .map(KeySet::new);
    }

    @DELETE
    @Path("/{kid}")
    public Uni<DeletedKey> delete(@PathParam("org") String org,
                                  @PathParam("kid") String kid) {
        return auth.require(principal, Permission.ORG_ADMIN)
                .flatMap(caller -> keys.delete(caller, org, kid))
                .map(ignored -> new DeletedKey(kid, true));
    }
}
