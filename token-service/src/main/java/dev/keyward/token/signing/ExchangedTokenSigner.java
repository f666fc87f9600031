package dev.keyward.token.signing;

import dev.keyward.contract.ApiException;
import dev.keyward.contract.ExchangedToken;
import io.smallrye.jwt.algorithm.SignatureAlgorithm;
import io.smallrye.jwt.build.Jwt;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Signs the tokens token exchange issues: a compact JWS (ES256, {@code typ} JWT, {@code kid} of
 * the current {@link SigningKeys} key) over exactly the claims of an {@link ExchangedToken}.
 */
@ApplicationScoped
public class ExchangedTokenSigner {

    private final SigningKeys keys;

    public ExchangedTokenSigner(SigningKeys keys) {
        this.keys = keys;
    }

    /** Whether tokens can be signed ({@code keyward.signing-keys.secret} is set). */
    public boolean enabled() {
        return keys.enabled();
    }

    /**
     * The signed token. SmallRye JWT adds {@code iat}, {@code exp}, {@code jti} and a configured
     * {@code iss}/{@code aud} only where a claim is missing; the first four are always present here,
     * and this service configures no {@code smallrye.jwt.new-token.*}, so the claims are ours alone.
     *
     * @return fails with {@link ApiException} 503 {@code exchange_disabled} without a signing secret
     */
    public Uni<String> sign(ExchangedToken token) {
        return keys.current().map(key -> Jwt.claims(token.toClaims())
                .jws()
                .keyId(key.kid())
                .algorithm(SignatureAlgorithm.ES256)
                .header("typ", "JWT")
                .sign(key.privateKey()));
    }
}
