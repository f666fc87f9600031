package dev.keyward.verification.quarkus;

import java.util.Map;

/**
 * Turns tracing on exactly when a collector is named ({@code KEYWARD_OTLP_ENDPOINT}): the
 * OpenTelemetry SDK and the Kafka connector's tracing are off by default
 * (META-INF/microprofile-config.properties), so a service without a collector makes no span and
 * adds no trace header to a record. (The disabled SDK still hands out real, unexported spans to
 * whoever asks, and the connector would ask for every record.) Environment variables and system
 * properties that set either property still decide. Registered in this module's
 * {@code META-INF/services}: every service follows it.
 */
public final class TracingSwitch extends EnvironmentSwitch {

    public static final String ENDPOINT_ENV = "KEYWARD_OTLP_ENDPOINT";
    static final String KAFKA_TRACING = "mp.messaging.connector.smallrye-kafka.tracing-enabled";

    public TracingSwitch() {
        this(System.getenv(ENDPOINT_ENV));
    }

    TracingSwitch(String endpoint) {
        super("keyward-tracing-switch", isSet(endpoint)
                ? Map.of("quarkus.otel.sdk.disabled", "false", KAFKA_TRACING, "true")
                : Map.of());
    }
}
