package dev.keyward.verification;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyward.contract.ApiKeyFormat;
import dev.keyward.contract.TokenKind;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** Routing a bearer to quarkus-oidc or to the Keyward verifier by its unverified issuer. */
class OidcBearerTest {

    private static final String REALM = "http://127.0.0.1:8180/realms/keyward";

    @Test
    void aJwtOfTheRealmGoesToOidc() {
        assertThat(OidcBearer.isFrom(REALM, "Bearer " + jwt("{\"iss\":\"" + REALM + "\",\"sub\":\"x\"}"))).isTrue();
        assertThat(OidcBearer.isFrom(REALM + "/", "bearer " + jwt("{\"iss\":\"" + REALM + "\"}"))).isTrue();
    }

    @Test
    void everythingElseGoesToTheKeywardVerifier() {
        assertThat(OidcBearer.isFrom(REALM, "Bearer " + ApiKeyFormat.generate(ApiKeyFormat.Environment.PROD, TokenKind.ORG)))
                .isFalse();
        assertThat(OidcBearer.isFrom(REALM, "Bearer " + jwt("{\"iss\":\"acme\",\"sub\":\"x\"}"))).isFalse();
        assertThat(OidcBearer.isFrom(REALM, "Bearer " + jwt("{\"sub\":\"x\"}"))).isFalse();
        assertThat(OidcBearer.isFrom(REALM, "Bearer a.%%%.c")).isFalse();
        assertThat(OidcBearer.isFrom(REALM, "Basic " + jwt("{\"iss\":\"" + REALM + "\"}"))).isFalse();
        assertThat(OidcBearer.isFrom(REALM, null)).isFalse();
        assertThat(OidcBearer.isFrom(null, "Bearer " + jwt("{\"iss\":\"" + REALM + "\"}"))).isFalse();
    }

    private static String jwt(String payload) {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        return b64.encodeToString("{\"alg\":\"RS256\"}".getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString(payload.getBytes(StandardCharsets.UTF_8)) + ".c2ln";
    }
}
