package dev.keyward.token.rest;

import dev.keyward.token.signing.SigningKeys;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import java.util.Map;
import org.jboss.resteasy.reactive.RestResponse;

/**
 * The public keys of the tokens Keyward itself signs (token exchange): the signing key and every
 * retired key whose tokens may still be live. Public, no secret: verifiers fetch it and cache it.
 * Customer keys are served per org on {@code /internal/orgs/{org}/keys}.
 */
@Path("/.well-known/jwks.json")
public class JwksResource {

    record JwkSet(List<Map<String, Object>> keys) {
    }

    private final SigningKeys keys;

    public JwksResource(SigningKeys keys) {
        this.keys = keys;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<RestResponse<JwkSet>> jwks() {
        // Cacheable for a minute, as long as a replica's signer keeps its own view of the key.
        return keys.publishedJwks().map(list -> RestResponse.ResponseBuilder.ok(new JwkSet(list))
                .header("Cache-Control", "public, max-age=60").build());
    }
}
