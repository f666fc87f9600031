package dev.keyward.token.oidc;

import dev.keyward.testsupport.EmbeddedKeycloak;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * A real Keycloak (test-support's realm {@code keyward}) for the sign-in tests, started once per
 * test JVM on first use and stopped with it; turns both OIDC tenants of the service on.
 */
public class KeycloakTestResource implements QuarkusTestResourceLifecycleManager {

    private static EmbeddedKeycloak keycloak;

    /** The shared Keycloak, started on first call (about a minute the first time on a busy machine). */
    public static synchronized EmbeddedKeycloak keycloak() {
        if (keycloak == null) {
            keycloak = EmbeddedKeycloak.start();
        }
        return keycloak;
    }

    @Override
    public Map<String, String> start() {
        EmbeddedKeycloak kc = keycloak();
        return Map.of(
                "quarkus.oidc.auth-server-url", kc.realmUrl(),
                "quarkus.oidc.tenant-enabled", "true",
                "quarkus.oidc.web.tenant-enabled", "true",
                "quarkus.oidc.web.credentials.secret", "keyward-web-secret");
    }

    @Override
    public void stop() {
        // Shared by every test class of this JVM; a shutdown hook of EmbeddedKeycloak stops it.
    }
}
