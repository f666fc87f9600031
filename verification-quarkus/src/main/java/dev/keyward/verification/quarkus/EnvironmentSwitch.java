package dev.keyward.verification.quarkus;

import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Configuration that an environment variable switches on ({@link OidcSwitch}, {@link TracingSwitch}).
 * Sits above application.properties and the modules' defaults and below environment variables and
 * system properties, so a property set there still decides.
 */
abstract class EnvironmentSwitch implements ConfigSource {

    private final String name;
    private final Map<String, String> properties;

    /** @param properties what the switch sets; empty while its variable is unset */
    EnvironmentSwitch(String name, Map<String, String> properties) {
        this.name = name;
        this.properties = Map.copyOf(properties);
    }

    /** Whether an environment variable's value names something (set and not blank). */
    static boolean isSet(String value) {
        return value != null && !value.isBlank();
    }

    @Override
    public Map<String, String> getProperties() {
        return properties;
    }

    @Override
    public Set<String> getPropertyNames() {
        return properties.keySet();
    }

    @Override
    public String getValue(String propertyName) {
        return properties.get(propertyName);
    }

    @Override
    public String getName() {
        return name;
    }

    @Override
    public int getOrdinal() {
        return 275;
    }
}
