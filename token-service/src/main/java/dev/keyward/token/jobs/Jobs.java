package dev.keyward.token.jobs;

import dev.keyward.token.metrics.TokenMetrics;
import dev.keyward.token.repository.AdvisoryLock;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.scheduler.Scheduler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.eclipse.microprofile.config.Config;
import org.jboss.logging.Logger;

/**
 * Every {@link ScheduledJob} bean: scheduled from configuration on every replica (the jobs'
 * advisory locks let one run at a time cluster-wide) and run by name for the admin trigger.
 */
@ApplicationScoped
public class Jobs {

    private static final Logger LOG = Logger.getLogger(Jobs.class);

    private final Map<String, ScheduledJob> byName = new TreeMap<>();
    private final AdvisoryLock lock;
    private final TokenMetrics metrics;

    public Jobs(@Any Instance<ScheduledJob> jobs, AdvisoryLock lock, TokenMetrics metrics) {
        jobs.forEach(job -> byName.put(job.name(), job));
        this.lock = lock;
        this.metrics = metrics;
        byName.keySet().forEach(metrics::job);
    }

    void schedule(@Observes StartupEvent event, Scheduler scheduler, Config config) {
        String initialDelay = config.getValue("keyward.jobs.initial-delay", String.class);
        for (String name : byName.keySet()) {
            String every = config.getOptionalValue("keyward.jobs." + name + ".every", String.class).orElse("off").strip();
            if (every.equalsIgnoreCase("off") || every.equalsIgnoreCase("disabled")) {
                continue;
            }
            scheduler.newJob("keyward-" + name)
                    .setInterval(every)
                    .setDelayed(initialDelay)
                    .setConcurrentExecution(Scheduled.ConcurrentExecution.SKIP)
                    .setTask(execution -> scheduled(name))
                    .schedule();
        }
    }

    public Set<String> names() {
        return byName.keySet();
    }

    /** Runs the named job now (blocking); empty for an unknown name. */
    public Optional<JobSummary> run(String name) {
        ScheduledJob job = byName.get(name);
        if (job == null) {
            return Optional.empty();
        }
        long startedNanos = System.nanoTime();
        JobSummary summary;
        try {
            summary = lock.tryRun(job.lockKey(), () -> {
                Map<String, Long> counts = job.run();
                long ms = (System.nanoTime() - startedNanos) / 1_000_000;
                LOG.infof("job %s ran in %d ms: %s", name, ms, counts);
                return new JobSummary(name, true, counts, ms);
            }).orElseGet(() -> {
                LOG.debugf("job %s: another run holds the lock, skipping", name);
                return JobSummary.skipped(name);
            });
        } catch (RuntimeException e) {
            metrics.jobFailed(name, System.nanoTime() - startedNanos);
            throw e;
        }
        metrics.jobRan(summary, System.nanoTime() - startedNanos);
        return Optional.of(summary);
    }

    // A failed run (e.g. the database is away) is logged and retried at the next tick.
    private void scheduled(String name) {
        try {
            run(name);
        } catch (RuntimeException e) {
            LOG.warnf("scheduled job %s failed: %s", name, e.toString());
        }
    }
}
