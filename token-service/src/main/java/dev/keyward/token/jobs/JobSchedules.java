package dev.keyward.token.jobs;

import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * The jobs' schedules, all configuration ({@code off} or {@code disabled} turns one off). Every
 * replica schedules them; the jobs' advisory locks let one run at a time cluster-wide.
 */
@ApplicationScoped
public class JobSchedules {

    private static final Logger LOG = Logger.getLogger(JobSchedules.class);

    private final ExpiryJob expiry;
    private final DeprecationJob deprecation;
    private final NotificationJob notifications;

    public JobSchedules(ExpiryJob expiry, DeprecationJob deprecation, NotificationJob notifications) {
        this.expiry = expiry;
        this.deprecation = deprecation;
        this.notifications = notifications;
    }

    @Scheduled(identity = "keyward-expiry", every = "{keyward.jobs.expiry.every}", delayed = "{keyward.jobs.initial-delay}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void expiry() {
        guarded(ExpiryJob.NAME, expiry::run);
    }

    @Scheduled(identity = "keyward-deprecation", every = "{keyward.jobs.deprecation.every}",
            delayed = "{keyward.jobs.initial-delay}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void deprecation() {
        guarded(DeprecationJob.NAME, deprecation::run);
    }

    @Scheduled(identity = "keyward-notifications", every = "{keyward.jobs.notifications.every}",
            delayed = "{keyward.jobs.initial-delay}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void notifications() {
        guarded(NotificationJob.NAME, notifications::run);
    }

    // A failed run (e.g. the database is away) is logged and retried at the next tick.
    private static void guarded(String job, Runnable run) {
        try {
            run.run();
        } catch (RuntimeException e) {
            LOG.warnf("scheduled job %s failed: %s", job, e.toString());
        }
    }
}
