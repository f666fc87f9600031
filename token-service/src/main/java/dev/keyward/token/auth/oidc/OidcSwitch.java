package dev.keyward.token.auth.oidc;

import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Turns sign-in through OIDC on exactly when a realm is configured ({@code KEYWARD_OIDC_URL}), so
 * the service and its tests run without an identity provider by default. Sits above
 * application.properties (which says {@code false}) and below environment variables and system
 * properties, so {@code QUARKUS_OIDC_TENANT_ENABLED} still decides when set.
 */
public class OidcSwitch implements ConfigSource {

    static final String URL_ENV = "KEYWARD_OIDC_URL";
    private static final Set<String> SWITCHES = Set.of("quarkus.oidc.tenant-enabled", "quarkus.oidc.web.tenant-enabled");

    private final boolean configured;

    public OidcSwitch() {
        String url = System.getenv(URL_ENV);
        this.configured = url != null && !url.isBlank();
    }

    @Override
    public Map<String, String> getProperties() {
        return configured ? Map.of("quarkus.oidc.tenant-enabled", "true", "quarkus.oidc.web.tenant-enabled", "true") : Map.of();
    }

    @Override
    public Set<String> getPropertyNames() {
        return getProperties().keySet();
    }

    @Override
    public String getValue(String name) {
        return configured && SWITCHES.contains(name) ? "true" : null;
    }

    @Override
    public String getName() {
        return "keyward-oidc-switch";
    }

    @Override
    public int getOrdinal() {
        return 275;
    }
}
