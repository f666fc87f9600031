package dev.keyward.token.jobs;

import java.util.Map;

/**
 * A scheduled job. A new job is one bean implementing this: {@link Jobs} finds every one through
 * CDI, schedules it by {@code keyward.jobs.<name>.every} ({@code off} or {@code disabled}: not
 * scheduled) and runs it on {@code POST /internal/jobs/<name>/run}.
 */
public interface ScheduledJob {

    /** Its name: the trigger's path segment and its schedule's configuration key. */
    String name();

    /** Its PostgreSQL advisory lock key: one run at a time cluster-wide. */
    long lockKey();

    /** One run, holding the lock, on a worker thread (blocking); what it did, by count. */
    Map<String, Long> run();
}
