package dev.keyward.audit.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** The audit service's own settings ({@code keyward.audit.*}). */
@ConfigMapping(prefix = "keyward.audit")
public interface AuditConfig {

    /** How long events are kept; older ones are purged and the chain re-anchored. */
    @WithDefault("365d")
    Duration retention();

    RetentionPurge retentionPurge();

    AuthHealth authHealth();

    interface RetentionPurge {
        /** How often the purge runs (read by the scheduler). */
        @WithDefault("1h")
        String every();

        /** How long after start the first run waits. */
        @WithDefault("5m")
        String delay();

        /** Rows deleted per transaction, so a large purge never holds locks for long. */
        @WithDefault("10000")
        int batchSize();
    }

    /** Sliding windows of {@code GET /v1/auth/health} and their thresholds. */
    interface AuthHealth {
        Window shortWindow();

        Window longWindow();

        /** How many token prefixes and client IPs to list per dimension. */
        @WithDefault("20")
        int top();
    }

    interface Window {
        Duration length();

        Thresholds tokenPrefix();

        Thresholds clientIp();
    }

    /** Failure counts within a window at which one source turns the status {@code degraded} / {@code alert}. */
    interface Thresholds {
        long degraded();

        long alert();
    }
}
