package dev.keyward.token.exchange;

import java.util.List;
import java.util.Map;

/**
 * A workload's OIDC token whose signature and times were verified against its issuer.
 *
 * @param issuer    {@code iss}
 * @param subject   {@code sub}
 * @param audiences {@code aud}, as a list
 * @param claims    every claim, as the token carried them
 */
public record WorkloadToken(String issuer, String subject, List<String> audiences, Map<String, Object> claims) {

    public WorkloadToken {
        audiences = List.copyOf(audiences);
        claims = Map.copyOf(claims);
    }
}
