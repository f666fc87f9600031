package dev.keyward.verification.quarkus;

import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Turns tracing on exactly when a collector is named ({@code KEYWARD_OTLP_ENDPOINT}): the
 * OpenTelemetry SDK and the Kafka connector's tracing are off by default
 * (META-INF/microprofile-config.properties), so a service without a collector makes no span and
 * adds no trace header to a record. (The disabled SDK still hands out real, unexported spans to
 * whoever asks, and the connector would ask for every record.) Sits above the defaults and below
 * environment variables and system properties, which still decide when they set either property.
 * Registered in this module's {@code META-INF/services}: every service follows it.
 */
public final class TracingSwitch implements ConfigSource {

    public static final String ENDPOINT_ENV = "KEYWARD_OTLP_ENDPOINT";
    static final String KAFKA_TRACING = "mp.messaging.connector.smallrye-kafka.tracing-enabled";

    private final Map<String, String> properties;

    public TracingSwitch() {
        this(System.getenv(ENDPOINT_ENV));
    }

    TracingSwitch(String endpoint) {
        this.properties = endpoint == null || endpoint.isBlank() ? Map.of() : Map.of(
                "quarkus.otel.sdk.disabled", "false",
                KAFKA_TRACING, "true");
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
    public String getValue(String name) {
        return properties.get(name);
    }

    @Override
    public String getName() {
        return "keyward-tracing-switch";
    }

    @Override
    public int getOrdinal() {
        return 275;
    }
}
