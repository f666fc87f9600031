package dev.keyward.token.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keyward.contract.ApiException;
import dev.keyward.contract.ExchangedToken;
import dev.keyward.contract.Permission;
import dev.keyward.contract.StrictJsonBodies;
import dev.keyward.token.auth.ControlPlaneAuthenticator;
import dev.keyward.token.domain.TokenRules;
import dev.keyward.token.rest.TokenJson.CreateRequest;
import dev.keyward.token.rest.TokenJson.ExportView;
import dev.keyward.token.rest.TokenJson.IssuedView;
import dev.keyward.token.rest.TokenJson.PageView;
import dev.keyward.token.rest.TokenJson.RevokedView;
import dev.keyward.token.rest.TokenJson.RotateRequest;
import dev.keyward.token.rest.TokenJson.RotatedView;
import dev.keyward.token.rest.TokenJson.TokenView;
import dev.keyward.token.service.TokenExchangeService;
import dev.keyward.token.service.TokenService;
import dev.keyward.verification.quarkus.CurrentPrincipal;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The control-plane token API. Every call acts within the caller's own org. */
@Tag(name = "Tokens", description = "The org's API keys: create, list, read, export, rotate and revoke")
@Path("/v1/tokens")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class TokenResource {

    private final ControlPlaneAuthenticator auth;
    private final TokenService tokens;
    private final ObjectMapper json;
    private final CurrentPrincipal principal;
    private final TokenExchangeService exchanges;

    public TokenResource(ControlPlaneAuthenticator auth, TokenService tokens, ObjectMapper json, CurrentPrincipal principal,
                         TokenExchangeService exchanges) {
        this.exchanges = exchanges;
        this.auth = auth;
        this.tokens = tokens;
        this.json = json;
        this.principal = principal;
    }

    @POST
    public Uni<Response> create(CreateRequest body) {
        return auth.require(principal, Permission.TOKEN_WRITE).flatMap(caller -> {
            if (body == null) {
                throw ApiException.badRequest("request body is required");
            }
            return tokens.create(caller, body.toNewToken());
        }).map(issued -> Response.status(Response.Status.CREATED).entity(IssuedView.of(issued)).build());
    }

    @GET
    public Uni<PageView> list(@QueryParam("page_size") String pageSize,
                              @QueryParam("page_token") String pageToken, @QueryParam("state") String state) {
        return auth.require(principal, Permission.TOKEN_WRITE).flatMap(caller -> {
            Integer size = TokenRules.pageSize(pageSize);
            TokenRules.parameterText("page_token", pageToken);
            boolean activeOnly = switch (state == null ? "active" : state) {
                case "active" -> true;
                case "all" -> false;
                default -> throw ApiException.badRequest("state must be 'active' or 'all'");
            };
            return tokens.list(caller, activeOnly, size, pageToken);
        }).map(page -> new PageView(page.tokens().stream().map(TokenView::of).toList(), page.nextPageToken()));
    }

    @GET
    @Path("/export")
    public Uni<ExportView> export() {
        return auth.require(principal, Permission.AUDIT_READ).flatMap(caller -> tokens.all(caller)
                .map(all -> new ExportView(caller.org(), Instant.now().truncatedTo(ChronoUnit.MILLIS), all.size(),
                        all.stream().map(TokenView::of).toList())));
    }

    @GET
    @Path("/{id}")
    public Uni<TokenView> get(@PathParam("id") String id) {
        return auth.require(principal, Permission.TOKEN_WRITE)
                .flatMap(caller -> tokens.get(caller, TokenRules.parameterText("id", id)))
                .map(TokenView::of);
    }

    /** A key reads its own record ({@code keyward auth status}): any live org or repo key, without {@code token:write}. */
    @GET
    @Path("/self")
    public Uni<TokenView> self() {
        return auth.requireKey(principal)
                .flatMap(caller -> tokens.get(caller, caller.tokenId()))
                .map(TokenView::of);
    }

    /** With {@code cascade=true}, also every token it minted, recursively. */
    @DELETE
    @Path("/{id}")
    public Uni<RevokedView> revoke(@PathParam("id") String id, @QueryParam("cascade") String cascade) {
        return auth.require(principal, Permission.TOKEN_WRITE).flatMap(caller -> {
            String tokenId = TokenRules.parameterText("id", id);
            if (ExchangedToken.isExchangedTokenId(tokenId)) {
                // An exchanged token's id is its jti; it mints nothing, so cascade changes nothing.
                TokenRules.flag("cascade", cascade);
                return exchanges.revoke(caller, tokenId).map(row -> new RevokedView(row.jti, true, null));
            }
            return TokenRules.flag("cascade", cascade)
                    ? tokens.revokeWithDescendants(caller, tokenId).map(RevokedView::of)
                    : tokens.revoke(caller, tokenId).map(RevokedView::of);
        });
    }

    @POST
    @Path("/{id}/rotate")
    @Consumes(MediaType.WILDCARD)
    public Uni<RotatedView> rotate(@PathParam("id") String id, String body) {
        return auth.require(principal, Permission.TOKEN_WRITE)
                .flatMap(caller -> tokens.rotate(caller, TokenRules.parameterText("id", id), graceSeconds(body)))
                .map(RotatedView::of);
    }

    /** A token rotates itself: any org token may, without {@code token:write}. */
    @POST
    @Path("/self/rotate")
    @Consumes(MediaType.WILDCARD)
    public Uni<RotatedView> rotateSelf(String body) {
        return auth.require(principal, null)
                .flatMap(caller -> tokens.rotate(caller, caller.tokenId(), graceSeconds(body)))
                .map(RotatedView::of);
    }

    // The rotate body is optional, so it is read by hand: no body (of any content type) means defaults.
    // The injected mapper is the strict one every body goes through, and refusals read the same.
    private Long graceSeconds(String body) {
        if (body == null || body.isBlank()) {
            return null;
        }
        try {
            RotateRequest request = json.readValue(body, RotateRequest.class);
            return request == null ? null : request.graceSeconds();
        } catch (JsonProcessingException e) {
            StrictJsonBodies.Problem problem = StrictJsonBodies.problemOf(e);
            throw new ApiException(problem.status(), problem.error(), problem.message());
        }
    }
}
