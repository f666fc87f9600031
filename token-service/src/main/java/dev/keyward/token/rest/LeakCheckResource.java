package dev.keyward.token.rest;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import dev.keyward.contract.ApiException;
import dev.keyward.contract.ApiKeyFormat;
import dev.keyward.contract.Digests;
import dev.keyward.contract.Permission;
import dev.keyward.token.auth.ControlPlaneAuthenticator;
import dev.keyward.token.service.KeyResolver;
import dev.keyward.verification.quarkus.CurrentPrincipal;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Whether keys someone found are live ({@code keyward scan --check}): no side effect, nothing
 * recorded but the caller's own use. Anyone signed in to the control plane may ask; the answer
 * tells nothing the holder of a key could not learn by using it, and names keys by hash and prefix only.
 */
@Tag(name = "Leaks")
@Path("/v1/leaks/check")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class LeakCheckResource {

    static final int MAX_TOKENS = 100;

    private final ControlPlaneAuthenticator auth;
    private final CurrentPrincipal principal;
    private final KeyResolver resolver;

    public LeakCheckResource(ControlPlaneAuthenticator auth, CurrentPrincipal principal, KeyResolver resolver) {
        this.auth = auth;
        this.principal = principal;
        this.resolver = resolver;
    }

    public record Checked(@JsonProperty("token_hash") String tokenHash, @JsonProperty("key_prefix") String keyPrefix,
                          boolean live) {
    }

    public record Answer(List<Checked> results) {
    }

    @POST
    public Uni<Answer> check(JsonNode body) {
        return auth.require(principal, Permission.ORG_READ, Permission.TOKEN_WRITE, Permission.ORGS_READ).flatMap(caller -> {
            List<String> tokens = read(body);
            return Panache.withSession(() -> Multi.createFrom().iterable(tokens)
                    .onItem().transformToUniAndConcatenate(token -> resolver.resolve(token).map(r -> new Checked(
                            Digests.sha256Hex(token),
                            // Only a real key's prefix is shown: the head of anything else could be part of another secret.
                            ApiKeyFormat.parse(token).isPresent() ? ApiKeyFormat.prefixOf(token) : null, r.active())))
                    .collect().asList()).map(Answer::new);
        });
    }

    private static List<String> read(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw ApiException.badRequest("the body must be {\"tokens\": [\"kw_…\", …]}");
        }
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!field.equals("tokens")) {
                throw new ApiException(422, "unknown_field", "unknown field '" + field + "'; the body is {tokens}");
            }
        }
        JsonNode list = body.get("tokens");
        if (list == null || !list.isArray()) {
            throw ApiException.wrongType("tokens", "an array of strings");
        }
        if (list.size() > MAX_TOKENS) {
            throw ApiException.invalid("at most " + MAX_TOKENS + " tokens per call");
        }
        List<String> tokens = new ArrayList<>();
        for (JsonNode t : list) {
            if (!t.isTextual()) {
                throw ApiException.wrongType("tokens", "an array of strings");
            }
            tokens.add(t.asText());
        }
        return tokens;
    }
}
