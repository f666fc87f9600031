package dev.keyward.token.auth.oidc;

import java.util.Set;

/** Both tenants of token-service (API bearer tokens and the /ui pages) follow {@code KEYWARD_OIDC_URL}. */
public class OidcSwitch extends dev.keyward.verification.quarkus.OidcSwitch {

    public OidcSwitch() {
        super(Set.of("quarkus.oidc.tenant-enabled", "quarkus.oidc.web.tenant-enabled"));
    }
}
