package dev.keyward.repo.config;

import dev.keyward.verification.quarkus.VerificationEvents;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/** Exposes the verification event buffer on /q/metrics: a growing "spooled" count means Kafka is down,
 * a growing "dropped" or "failed" count that events are being lost. */
@ApplicationScoped
public class VerificationMetrics {

    void register(@Observes StartupEvent start, MeterRegistry registry, VerificationEvents events) {
        Gauge.builder("keyward.verification.events.dropped", events, VerificationEvents::dropped)
                .description("token:used / auth:failed events dropped because the buffer was full").register(registry);
        Gauge.builder("keyward.verification.events.failed", events, VerificationEvents::failed)
                .description("events the Kafka producer could not take").register(registry);
        Gauge.builder("keyward.verification.events.pending", events, VerificationEvents::pending)
                .description("events waiting for Kafka").register(registry);
        Gauge.builder("keyward.verification.events.spooled", events, VerificationEvents::spooled)
                .description("events kept on disk until Kafka takes them (a broker outage)").register(registry);
    }
}
