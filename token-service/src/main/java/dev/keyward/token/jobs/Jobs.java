package dev.keyward.token.jobs;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;

/** The jobs by name, for the admin trigger ({@code POST /internal/jobs/{name}/run}). */
@ApplicationScoped
public class Jobs {

    private final ExpiryJob expiry;
    private final DeprecationJob deprecation;
    private final NotificationJob notifications;

    public Jobs(ExpiryJob expiry, DeprecationJob deprecation, NotificationJob notifications) {
        this.expiry = expiry;
        this.deprecation = deprecation;
        this.notifications = notifications;
    }

    /** Runs the named job now (blocking); empty for an unknown name. */
    public Optional<JobSummary> run(String name) {
        return Optional.ofNullable(switch (name) {
            case ExpiryJob.NAME -> expiry.run();
            case DeprecationJob.NAME -> deprecation.run();
            case NotificationJob.NAME -> notifications.run();
            default -> null;
        });
    }
}
