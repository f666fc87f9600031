package dev.keyward.token.jobs;

import dev.keyward.token.notify.NotificationDispatcher;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.sql.DataSource;

/** Sends queued notifications that are due, retries included (see {@link NotificationDispatcher}). */
@ApplicationScoped
public class NotificationJob {

    public static final String NAME = "notifications";
    /** Advisory lock key of this job ("kwnotify"). */
    private static final long LOCK_KEY = 0x6b776e6f74696679L;

    private final DataSource dataSource;
    private final NotificationDispatcher dispatcher;

    public NotificationJob(DataSource dataSource, NotificationDispatcher dispatcher) {
        this.dataSource = dataSource;
        this.dispatcher = dispatcher;
    }

    public JobSummary run() {
        // The lock only keeps replicas from polling at the same moment; claims are safe without it.
        return LockedRun.run(dataSource, NAME, LOCK_KEY, c -> {
            NotificationDispatcher.Outcome sent = dispatcher.deliverDue();
            Map<String, Long> counts = new LinkedHashMap<>();
            counts.put("delivered", sent.delivered());
            counts.put("retrying", sent.retrying());
            counts.put("failed", sent.failed());
            return counts;
        });
    }
}
