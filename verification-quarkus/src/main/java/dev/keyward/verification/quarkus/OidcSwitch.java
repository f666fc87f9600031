package dev.keyward.verification.quarkus;

import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Turns a service's OIDC tenants on exactly when a realm is configured ({@code KEYWARD_OIDC_URL}),
 * so services and their tests run without an identity provider by default. Sits above
 * application.properties (which says {@code false}) and below environment variables and system
 * properties, so {@code QUARKUS_OIDC_TENANT_ENABLED} still decides when set. A service registers a
 * subclass naming its tenants' switches in {@code META-INF/services}.
 */
public abstract class OidcSwitch extends EnvironmentSwitch {

    public static final String URL_ENV = "KEYWARD_OIDC_URL";

    /** @param switches the {@code …tenant-enabled} properties to turn on, e.g. {@code quarkus.oidc.tenant-enabled} */
    protected OidcSwitch(Set<String> switches) {
        super("keyward-oidc-switch", isSet(System.getenv(URL_ENV))
                ? switches.stream().collect(Collectors.toUnmodifiableMap(Function.identity(), s -> "true"))
                : Map.of());
    }
}
