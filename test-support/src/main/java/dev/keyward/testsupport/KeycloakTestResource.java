package dev.keyward.testsupport;

import dev.keyward.localstack.EmbeddedKeycloak;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.HashMap;
import java.util.Map;

/**
 * A real Keycloak (the {@code keyward} realm of {@link EmbeddedKeycloak}) for sign-in tests,
 * started once per test JVM on first use and stopped with it. Turns the service's OIDC API tenant
 * on; init arg {@code web=true} also turns on the {@code web} tenant of the sign-in pages.
 */
public class KeycloakTestResource implements QuarkusTestResourceLifecycleManager {

    private static EmbeddedKeycloak keycloak;
    private boolean web;

    /** The shared Keycloak, started on first call (about a minute the first time on a busy machine). */
    public static synchronized EmbeddedKeycloak keycloak() {
        if (keycloak == null) {
            keycloak = EmbeddedKeycloak.start();
        }
        return keycloak;
    }

    @Override
    public void init(Map<String, String> initArgs) {
        web = Boolean.parseBoolean(initArgs.getOrDefault("web", "false"));
    }

    @Override
    public Map<String, String> start() {
        EmbeddedKeycloak kc = keycloak();
        Map<String, String> config = new HashMap<>();
        config.put("quarkus.oidc.auth-server-url", kc.realmUrl());
        config.put("quarkus.oidc.tenant-enabled", "true");
        if (web) {
            config.put("quarkus.oidc.web.tenant-enabled", "true");
            config.put("quarkus.oidc.web.credentials.secret", "keyward-web-secret");
        }
        return config;
    }

    @Override
    public void stop() {
        // Shared by every test class of this JVM; a shutdown hook of EmbeddedKeycloak stops it.
    }
}
