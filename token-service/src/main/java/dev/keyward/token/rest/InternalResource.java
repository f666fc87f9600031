package dev.keyward.token.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.keyward.contract.ApiException;
import dev.keyward.contract.ApiKeyFormat;
import dev.keyward.contract.Introspection;
import dev.keyward.token.auth.InternalCaller;
import dev.keyward.token.repository.TokenEntity;
import dev.keyward.token.service.KeyResolver;
import dev.keyward.token.service.LeakService;
import dev.keyward.token.service.OrgService;
import dev.keyward.token.service.PublicKeyService;
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
    private final LeakService leaks;

    public InternalResource(InternalCaller internal, KeyResolver resolver, PublicKeyService keys, OrgService orgs,
                            LeakService leaks) {
        this.orgs = orgs;
        this.leaks = leaks;
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

    record KeySet(List<Map<String, String>> keys) {
    }

    @POST
    @Path("/introspect")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Introspection> introspect(@HeaderParam(InternalCaller.HEADER) String secret, IntrospectRequest body) {
        internal.require(secret);
        if (body == null || body.token() == null || body.token().isEmpty()) {
            throw ApiException.badRequest("body must be {\"token\": \"<key>\"}");
        }
        return resolver.resolve(body.token()).map(resolution -> resolution.active()
                ? active(resolution.token(), ApiKeyFormat.prefixOf(body.token()))
                : Introspection.inactive(resolution.inactiveReason()));
    }

    /** Findings of one push above this many are refused: a push's scan reports what it found, not a corpus. */
    static final int MAX_FINDINGS = 1_000;

    /** One key candidate repo-service's push protection found in a pushed blob. */
    record LeakFinding(String token, String commit, String path, Integer line) {
        @Override
        public String toString() {
            return "LeakFinding[token=…, commit=" + commit + ", path=" + path + ", line=" + line + "]";
        }
    }

    record LeaksRequest(String source, @JsonProperty("repo_org") String repoOrg, String repo,
                        List<LeakFinding> findings) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record LeakResult(@JsonProperty("key_prefix") String keyPrefix, boolean live, boolean revoked, String org) {
    }

    record LeakResults(List<LeakResult> results) {
    }

    /**
     * Push protection (docs/internal-contracts.md): which of the candidates a push adds are live keys;
     * each live one is recorded ({@code token:leaked}) and, under its org's {@code block_and_revoke},
     * revoked. One result per finding, in order.
     */
    @POST
    @Path("/leaks")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<LeakResults> leaks(@HeaderParam(InternalCaller.HEADER) String secret, LeaksRequest body) {
        internal.require(secret);
        if (body == null) {
            throw ApiException.badRequest("body must be {\"source\": \"push\", \"repo_org\", \"repo\", \"findings\": [...]}");
        }
        if (!LeakService.PUSH.equals(body.source())) {
            throw ApiException.badRequest("source must be \"push\"");
        }
        if (body.repoOrg() == null || body.repoOrg().isEmpty() || body.repo() == null || body.repo().isEmpty()) {
            throw ApiException.badRequest("repo_org and repo are required");
        }
        if (body.findings() == null) {
            throw ApiException.badRequest("findings is required (an array)");
        }
        if (body.findings().size() > MAX_FINDINGS) {
            throw ApiException.badRequest("at most " + MAX_FINDINGS + " findings per call");
        }
        List<LeakService.Sighting> sightings = new java.util.ArrayList<>(body.findings().size());
        for (int i = 0; i < body.findings().size(); i++) {
            LeakFinding f = body.findings().get(i);
            if (f == null || f.token() == null || f.token().isEmpty()) {
                throw ApiException.badRequest("findings[" + i + "].token is required");
            }
            sightings.add(new LeakService.Sighting(f.token(),
                    LeakService.Place.push(body.repoOrg(), body.repo(), f.commit(), f.path(), f.line())));
        }
        return leaks.report(sightings).map(verdicts -> new LeakResults(verdicts.stream()
                .map(v -> new LeakResult(v.keyPrefix(), v.live(), v.revoked(), v.org())).toList()));
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

    /** The claims of an active key, in the record the verifier's client binds too. */
    private static Introspection active(TokenEntity t, String presentedPrefix) {
        return new Introspection(true, null, t.id, t.orgId, t.createdByUserId, t.kind.wireName(), t.environment.wireName(),
                t.scopes.toWire(), presentedPrefix, t.expiresAt, t.allowedCidrs);
    }
}
