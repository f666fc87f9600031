package dev.keyward.cli.auth;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;

/**
 * A signed-in person's tokens as {@code keyward login} stores them (owner-only file). Times are epoch
 * seconds; a refresh-token expiry of 0 means the provider did not say.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record Session(
        String issuer,
        @JsonProperty("client_id") String clientId,
        @JsonProperty("token_endpoint") String tokenEndpoint,
        @JsonProperty("revocation_endpoint") String revocationEndpoint,
        @JsonProperty("end_session_endpoint") String endSessionEndpoint,
        @JsonProperty("access_token") String accessToken,
        @JsonProperty("refresh_token") String refreshToken,
        @JsonProperty("id_token") String idToken,
        @JsonProperty("expires_at") long expiresAt,
        @JsonProperty("refresh_expires_at") long refreshExpiresAt) {

    /** Refresh this long before the access token runs out, so a call does not race its expiry. */
    static final long SKEW_SECONDS = 30;

    public boolean accessTokenValid(Instant now) {
        return accessToken != null && now.getEpochSecond() + SKEW_SECONDS < expiresAt;
    }

    public boolean canRefresh(Instant now) {
        return refreshToken != null && tokenEndpoint != null
                && (refreshExpiresAt == 0 || now.getEpochSecond() + SKEW_SECONDS < refreshExpiresAt);
    }

    /** A copy holding the tokens of a fresh token response (a missing refresh token keeps the old one). */
    public Session renewed(OidcProvider.TokenResponse tokens, Instant now) {
        return new Session(issuer, clientId, tokenEndpoint, revocationEndpoint, endSessionEndpoint,
                tokens.accessToken(),
                tokens.refreshToken() != null ? tokens.refreshToken() : refreshToken,
                tokens.idToken() != null ? tokens.idToken() : idToken,
                now.getEpochSecond() + tokens.expiresIn(),
                tokens.refreshExpiresIn() > 0 ? now.getEpochSecond() + tokens.refreshExpiresIn()
                        : tokens.refreshToken() != null ? 0 : refreshExpiresAt);
    }

    @Override
    public String toString() {
        return "Session[" + issuer + ", " + clientId + "]";
    }
}
