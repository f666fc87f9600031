package dev.keyward.token.signing;

import dev.keyward.contract.ApiException;
import dev.keyward.contract.ExchangedToken;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/** Placeholder until the signing keys land: token exchange is off. */
@ApplicationScoped
public class ExchangedTokenSigner {

    public boolean enabled() {
        return false;
    }

    public Uni<String> sign(ExchangedToken token) {
        return Uni.createFrom().failure(new ApiException(503, "exchange_disabled", "token exchange needs signing keys"));
    }
}
