package dev.keyward.token.rest;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * The keys Keyward's services trust for tokens Keyward itself signs. Keyward signs none yet, so
 * the set is empty; customer keys are served per org on {@code /internal/orgs/{org}/keys}.
 */
@Tag(name = "Signing keys", description = "The public keys of the tokens Keyward signs (JWKS)")
@Path("/.well-known/jwks.json")
public class JwksResource {

    record JwkSet(List<Map<String, String>> keys) {
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public JwkSet jwks() {
        return new JwkSet(List.of());
    }
}
