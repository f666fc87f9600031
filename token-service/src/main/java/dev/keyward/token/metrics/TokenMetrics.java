package dev.keyward.token.metrics;

import dev.keyward.contract.ApiKeyFormat;
import dev.keyward.contract.ExchangedToken;
import dev.keyward.contract.TokenKind;
import dev.keyward.events.EventType;
import dev.keyward.events.KeywardEvent;
import dev.keyward.token.jobs.JobSummary;
import dev.keyward.token.notify.NotificationDispatcher;
import dev.keyward.token.repository.BlockingDatabase;
import dev.keyward.token.repository.OutboxRepository;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.runtime.Startup;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * token-service's own metrics (Prometheus names in brackets; the verifier's are in
 * {@code VerificationMetrics}):
 * <ul>
 *   <li>token changes by kind and environment, counted as their events are written to the outbox
 *       ({@code keyward_tokens_created_total}, {@code _revoked_total}, {@code _expired_total},
 *       {@code _rotated_total}); exchanged tokens have kind {@code exchanged};</li>
 *   <li>the outbox backlog: rows the relay has not published and the age of the oldest
 *       ({@code keyward_outbox_backlog_events}, {@code keyward_outbox_oldest_age_seconds}), read
 *       every {@code keyward.metrics.outbox-every} by every replica;</li>
 *   <li>job runs by outcome, their duration and what they did ({@code keyward_job_runs_total},
 *       {@code keyward_job_duration_seconds}, {@code keyward_job_rows_total}), tagged {@code job_name}
 *       (Prometheus keeps {@code job} for the scrape target);</li>
 *   <li>notification delivery attempts by channel and outcome ({@code keyward_notification_deliveries_total}).</li>
 * </ul>
 * Tags are low-cardinality only: never an org, token or address. Created at start-up, so every
 * series is there from the first scrape.
 */
@Startup
@ApplicationScoped
public class TokenMetrics {

    private static final Logger LOG = Logger.getLogger(TokenMetrics.class);
    /** The kind of an exchanged token (their scopes decide repo or org; they have no API key). */
    static final String EXCHANGED = "exchanged";
    private static final List<String> ENVIRONMENTS = List.of("prod", "dev");
    private static final Map<EventType, String> CHANGES = Map.of(
            EventType.TOKEN_CREATED, "keyward.tokens.created", EventType.TOKEN_EXCHANGED, "keyward.tokens.created",
            EventType.TOKEN_REVOKED, "keyward.tokens.revoked", EventType.TOKEN_EXPIRED, "keyward.tokens.expired",
            EventType.TOKEN_ROTATED, "keyward.tokens.rotated");
    public static final String JOB_SUCCESS = "success";
    public static final String JOB_FAILURE = "failure";
    /** Another replica held the job's lock: this one did nothing. */
    public static final String JOB_SKIPPED = "skipped";

    private final MeterRegistry registry;
    private final Clock clock;
    private final BlockingDatabase database;
    private final OutboxRepository outbox;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final Map<String, Timer> jobDurations = new ConcurrentHashMap<>();
    private volatile long backlog;
    private volatile Instant oldestUnsent;

    public TokenMetrics(MeterRegistry registry, Clock clock, BlockingDatabase database, OutboxRepository outbox) {
        this.registry = registry;
        this.clock = clock;
        this.database = database;
        this.outbox = outbox;
        // Every series an alert or panel reads exists from the start, at zero.
        for (String name : Set.copyOf(CHANGES.values())) {
            for (TokenKind kind : TokenKind.values()) {
                ENVIRONMENTS.forEach(environment -> tokenChanges(name, kind.wireName(), environment));
            }
            tokenChanges(name, EXCHANGED, "prod");
        }
        for (String channel : List.of(NotificationDispatcher.EMAIL, NotificationDispatcher.WEBHOOK)) {
            for (String outcome : List.of("delivered", "retrying", "failed")) {
                deliveries(channel, outcome);
            }
        }
        Gauge.builder("keyward.outbox.backlog", this, m -> m.backlog).baseUnit("events").strongReference(true)
                .description("outbox rows not yet published to Kafka").register(registry);
        Gauge.builder("keyward.outbox.oldest.age", this, TokenMetrics::oldestAgeSeconds).baseUnit("seconds")
                .strongReference(true)
                .description("how long the oldest unpublished outbox row has waited (0 when none)").register(registry);
    }

    /** An event written to the outbox, in the transaction of its change: counts token changes. */
    public void appended(KeywardEvent event) {
        String name = CHANGES.get(event.type());
        if (name == null) {
            return;
        }
        String prefix = event.data().keyPrefix();
        String kind = ApiKeyFormat.kindOfPrefix(prefix).map(TokenKind::wireName)
                .orElse(event.subject() != null && event.subject().startsWith(ExchangedToken.JTI_PREFIX) ? EXCHANGED : null);
        if (kind == null) {
            return;
        }
        // Exchanged tokens have no key prefix; rate limits treat them as prod, and so do these counts.
        String environment = ApiKeyFormat.environmentOfPrefix(prefix).orElse(ApiKeyFormat.Environment.PROD).wireName();
        tokenChanges(name, kind, environment).increment();
    }

    /** Makes a job's series exist before its first run. */
    public void job(String job) {
        for (String outcome : List.of(JOB_SUCCESS, JOB_FAILURE, JOB_SKIPPED)) {
            jobRuns(job, outcome);
        }
        jobDuration(job);
    }

    /** A job run that ended (ran or skipped). */
    public void jobRan(JobSummary summary, long nanos) {
        jobRuns(summary.job(), summary.ran() ? JOB_SUCCESS : JOB_SKIPPED).increment();
        if (summary.ran()) {
            jobDuration(summary.job()).record(nanos, TimeUnit.NANOSECONDS);
            summary.counts().forEach((result, rows) -> counter("keyward.job.rows", "rows a job run handled, by what it did",
                    "job_name", summary.job(), "result", result).increment(rows));
        }
    }

    /** A job run that failed (it is retried at its next tick). */
    public void jobFailed(String job, long nanos) {
        jobRuns(job, JOB_FAILURE).increment();
        jobDuration(job).record(nanos, TimeUnit.NANOSECONDS);
    }

    /** One delivery attempt of a notification: {@code delivered}, {@code retrying} or {@code failed} (given up). */
    public void delivery(String channel, String outcome) {
        deliveries(channel, outcome).increment();
    }

    /** Reads the outbox backlog; a failed read keeps the last one (its age keeps growing). */
    @Scheduled(every = "${keyward.metrics.outbox-every:15s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void sampleOutbox() {
        try {
            OutboxRepository.Backlog now = database.await(() -> Panache.withSession(outbox::backlog));
            backlog = now.rows();
            oldestUnsent = now.oldest();
        } catch (RuntimeException e) {
            LOG.debugf("outbox backlog not read: %s", e.toString());
        }
    }

    private double oldestAgeSeconds() {
        Instant oldest = oldestUnsent;
        return oldest == null ? 0 : Math.max(0, Duration.between(oldest, clock.instant()).toMillis() / 1000.0);
    }

    private Counter tokenChanges(String name, String kind, String environment) {
        return counter(name, "token changes by kind and environment", "kind", kind, "environment", environment);
    }

    private Counter jobRuns(String job, String outcome) {
        return counter("keyward.job.runs", "job runs by outcome", "job_name", job, "outcome", outcome);
    }

    private Timer jobDuration(String job) {
        return jobDurations.computeIfAbsent(job, j -> Timer.builder("keyward.job.duration")
                .description("how long a job run took").tag("job_name", j).register(registry));
    }

    private Counter deliveries(String channel, String outcome) {
        return counter("keyward.notification.deliveries", "notification delivery attempts by outcome",
                "channel", channel, "outcome", outcome);
    }

    private Counter counter(String name, String description, String tag1, String value1, String tag2, String value2) {
        return counters.computeIfAbsent(name + '|' + value1 + '|' + value2, k -> Counter.builder(name)
                .description(description).tag(tag1, value1).tag(tag2, value2).register(registry));
    }
}
