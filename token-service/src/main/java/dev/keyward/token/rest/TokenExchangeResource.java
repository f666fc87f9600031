package dev.keyward.token.rest;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.keyward.contract.RefusalReason;
import dev.keyward.token.domain.ExchangeScopes;
import dev.keyward.token.exchange.ExchangeRefusal;
import dev.keyward.token.service.TokenExchangeService;
import dev.keyward.verification.Verification;
import dev.keyward.verification.quarkus.CurrentPrincipal;
import dev.keyward.verification.quarkus.VerificationEvents;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Set;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * {@code POST /v1/token-exchange} (RFC 8693): a CI job or pod trades the OIDC token its platform
 * gave it for a short-lived Keyward token. The presented token is the only credential. Refusals are
 * RFC 6749 error bodies ({@code {error, error_description}}), each recorded as {@code auth:failed}.
 */
@Tag(name = "Token exchange", description = "A workload's OIDC token for a short-lived Keyward token (RFC 8693)")
@Path("/v1/token-exchange")
public class TokenExchangeResource {

    public static final String GRANT_TYPE = "urn:ietf:params:oauth:grant-type:token-exchange";
    public static final String JWT_TYPE = "urn:ietf:params:oauth:token-type:jwt";
    static final Set<String> SUBJECT_TOKEN_TYPES = Set.of(JWT_TYPE, "urn:ietf:params:oauth:token-type:id_token");
    private static final Set<String> PARAMETERS = Set.of("grant_type", "subject_token", "subject_token_type", "audience",
            "scope", "requested_ttl", "requested_token_type", "resource", "actor_token", "actor_token_type");
    /** Longer than any OIDC token a CI platform issues. */
    static final int MAX_SUBJECT_TOKEN_LENGTH = 16 * 1024;

    private final TokenExchangeService exchanges;
    private final CurrentPrincipal principal;
    private final VerificationEvents events;

    public TokenExchangeResource(TokenExchangeService exchanges, CurrentPrincipal principal, VerificationEvents events) {
        this.exchanges = exchanges;
        this.principal = principal;
        this.events = events;
    }

    record Answer(@JsonProperty("access_token") String accessToken,
                  @JsonProperty("issued_token_type") String issuedTokenType,
                  @JsonProperty("token_type") String tokenType,
                  @JsonProperty("expires_in") long expiresIn,
                  String scope) {
    }

    record ErrorAnswer(String error, @JsonProperty("error_description") String errorDescription) {
    }

    /** The form's parameters, for the API document only: the form is read by hand (a repeated parameter is refused). */
    @Schema(name = "TokenExchangeForm", requiredProperties = {"grant_type", "subject_token", "subject_token_type", "audience"},
            example = """
            {"grant_type": "urn:ietf:params:oauth:grant-type:token-exchange", "subject_token": "eyJhbGciOiJSUzI1NiJ9.e30.c2ln", \
            "subject_token_type": "urn:ietf:params:oauth:token-type:jwt", "audience": "acme", "scope": "repos:app=git:read", \
            "requested_ttl": "900"}""")
    record Form(@JsonProperty("grant_type") String grantType, @JsonProperty("subject_token") String subjectToken,
                @JsonProperty("subject_token_type") String subjectTokenType, String audience, String scope,
                @JsonProperty("requested_ttl") String requestedTtl,
                @JsonProperty("requested_token_type") String requestedTokenType) {
    }

    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.APPLICATION_JSON)
    @RequestBody(content = @Content(schema = @Schema(implementation = Form.class)))
    public Uni<Response> exchange(MultivaluedMap<String, String> form) {
        String clientIp = principal.clientIp();
        String org = null;
        try {
            org = single(form, "audience");
            TokenExchangeService.Request request = request(form, clientIp);
            String audience = org;
            return exchanges.exchange(request)
                    .map(issued -> noStore(Response.ok(new Answer(issued.accessToken(), JWT_TYPE, "Bearer", issued.expiresIn(),
                            ExchangeScopes.format(issued.scopes())))))
                    .onFailure(ExchangeRefusal.class).recoverWithItem(e -> refused((ExchangeRefusal) e, audience, clientIp));
        } catch (ExchangeRefusal e) {
            return Uni.createFrom().item(refused(e, org, clientIp));
        }
    }

    private static TokenExchangeService.Request request(MultivaluedMap<String, String> form, String clientIp) {
        if (form == null) {
            throw ExchangeRefusal.invalidRequest("the body must be form-encoded parameters");
        }
        for (String name : form.keySet()) {
            if (PARAMETERS.contains(name) && form.get(name).size() > 1) {
                throw ExchangeRefusal.invalidRequest(name + " must appear once");
            }
        }
        String grantType = single(form, "grant_type");
        if (grantType == null) {
            throw ExchangeRefusal.invalidRequest("grant_type is required");
        }
        if (!GRANT_TYPE.equals(grantType)) {
            throw ExchangeRefusal.unsupportedGrantType("grant_type must be " + GRANT_TYPE);
        }
        if (single(form, "actor_token") != null) {
            throw ExchangeRefusal.invalidRequest("actor_token (delegation) is not supported");
        }
        String subjectToken = single(form, "subject_token");
        if (subjectToken == null || subjectToken.isBlank()) {
            throw ExchangeRefusal.invalidRequest("subject_token is required: the workload's OIDC token");
        }
        if (subjectToken.length() > MAX_SUBJECT_TOKEN_LENGTH) {
            throw ExchangeRefusal.invalidRequest("subject_token is longer than " + MAX_SUBJECT_TOKEN_LENGTH + " characters");
        }
        String type = single(form, "subject_token_type");
        if (type == null || !SUBJECT_TOKEN_TYPES.contains(type)) {
            throw ExchangeRefusal.invalidRequest("subject_token_type must be " + JWT_TYPE
                    + " or urn:ietf:params:oauth:token-type:id_token");
        }
        String requestedType = single(form, "requested_token_type");
        if (requestedType != null && !JWT_TYPE.equals(requestedType)) {
            throw ExchangeRefusal.invalidRequest("requested_token_type can only be " + JWT_TYPE);
        }
        String org = single(form, "audience");
        if (org == null || org.isBlank()) {
            throw ExchangeRefusal.invalidRequest("audience is required: the id of the org whose trust policy applies");
        }
        Long ttl = null;
        String rawTtl = single(form, "requested_ttl");
        if (rawTtl != null) {
            try {
                ttl = Long.parseLong(rawTtl);
            } catch (NumberFormatException e) {
                throw ExchangeRefusal.invalidRequest("requested_ttl must be a whole number of seconds");
            }
            if (ttl < 60) {
                throw ExchangeRefusal.invalidRequest("requested_ttl must be at least 60 seconds");
            }
        }
        return new TokenExchangeService.Request(subjectToken, org, single(form, "scope"), ttl, clientIp);
    }

    private static String single(MultivaluedMap<String, String> form, String name) {
        List<String> values = form == null ? null : form.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    private Response refused(ExchangeRefusal e, String org, String clientIp) {
        if (e.reason() != RefusalReason.UNAVAILABLE) {
            String orgHint = org != null && org.matches("[A-Za-z0-9._-]{1,100}") ? org : null;
            events.authFailed(Verification.refused(e.reason(), e.description()), "token:exchange", null, clientIp, orgHint);
        }
        return noStore(Response.status(e.status()).entity(new ErrorAnswer(e.error(), e.description())));
    }

    private static Response noStore(Response.ResponseBuilder response) {
        return response.type(MediaType.APPLICATION_JSON).header("Cache-Control", "no-store").header("Pragma", "no-cache").build();
    }
}
