package dev.keyward.token.rest;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.keyward.token.auth.InternalCaller;
import dev.keyward.token.error.ApiException;
import dev.keyward.token.repository.TokenEntity;
import dev.keyward.token.service.JsonColumns;
import dev.keyward.token.service.KeyResolver;
import dev.keyward.token.service.PublicKeyService;
import dev.keyward.token.service.OrgService;
import dev.keyward.verification.ApiKeyFormat;
import dev.keyward.verification.TokenServiceClient;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Service-to-service endpoints (docs/internal-contracts.md), behind the internal secret. */
@Path("/internal")
@Produces(MediaType.APPLICATION_JSON)
public class InternalResource {

    private final InternalCaller internal;
    private final KeyResolver resolver;
    private final PublicKeyService keys;
    private final OrgService orgs;

    public InternalResource(InternalCaller internal, KeyResolver resolver, PublicKeyService keys, OrgService orgs) {
        this.orgs = orgs;
        this.internal = internal;
        this.resolver = resolver;
        this.keys = keys;
    }

    record IntrospectRequest(String token) {
        @Override
        public String toString() {
            return "IntrospectRequest[…]";
        }
    }

    /** The claims of an active key. */
    record Active(boolean active, String id, String org, String subject, String kind, String environment,
                  Map<String, List<String>> scopes, @JsonProperty("key_prefix") String keyPrefix,
                  @JsonProperty("expires_at") Instant expiresAt,
                  @JsonProperty("allowed_cidrs") List<String> allowedCidrs) {
    }

    record Inactive(boolean active, String reason) {
    }

    record KeySet(List<Map<String, String>> keys) {
    }

    @POST
    @Path("/introspect")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Object> introspect(@HeaderParam(InternalCaller.HEADER) String secret, IntrospectRequest body) {
        internal.require(secret);
        if (body == null || body.token() == null || body.token().isEmpty()) {
            throw ApiException.badRequest("body must be {\"token\": \"<key>\"}");
        }
        return resolver.resolve(body.token()).map(resolution -> resolution.active()
                ? active(resolution.token(), ApiKeyFormat.prefixOf(body.token()))
                : new Inactive(false, resolution.inactiveReason()));
    }

    @GET
    @Path("/orgs/{org}/keys")
    public Uni<KeySet> orgKeys(@HeaderParam(InternalCaller.HEADER) String secret, @PathParam("org") String org) {
        internal.require(secret);
        return keys.publicKeysOf(org).map(KeySet::new);
    }

    /** Every org's state and the policy the verifiers enforce; the shape is the verifier's own record. */
    @GET
    @Path("/orgs/rules")
    public Uni<TokenServiceClient.RulesAnswer> orgRules(@HeaderParam(InternalCaller.HEADER) String secret) {
        internal.require(secret);
        return orgs.rules().map(TokenServiceClient.RulesAnswer::new);
    }

    private static Active active(TokenEntity t, String presentedPrefix) {
        return new Active(true, t.id, t.orgId, t.createdByUserId, t.kind, t.environment,
                JsonColumns.scopes(t.scopes), presentedPrefix, t.expiresAt, JsonColumns.strings(t.allowedCidrs));
    }
}
