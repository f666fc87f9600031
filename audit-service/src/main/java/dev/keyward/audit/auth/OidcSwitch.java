package dev.keyward.audit.auth;

import java.util.Set;

/** The API tenant of audit-service follows {@code KEYWARD_OIDC_URL}. */
public class OidcSwitch extends dev.keyward.verification.quarkus.OidcSwitch {

    public OidcSwitch() {
        super(Set.of("quarkus.oidc.tenant-enabled"));
    }
}
