package dev.keyward.token.jobs;

import dev.keyward.token.notify.NotificationDispatcher;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;

/** Sends queued notifications that are due, retries included (see {@link NotificationDispatcher}). */
@ApplicationScoped
public class NotificationJob implements ScheduledJob {

    public static final String NAME = "notifications";

    private final NotificationDispatcher dispatcher;

    public NotificationJob(NotificationDispatcher dispatcher) {
        this.dispatcher = dispatcher;
    }

    @Override
    public String name() {
        return NAME;
    }

    /** "kwnotify". The lock only keeps replicas from polling at the same moment; claims are safe without it. */
    @Override
    public long lockKey() {
        return 0x6b776e6f74696679L;
    }

    @Override
    public Map<String, Long> run() {
        return dispatcher.deliverDue().counts();
    }
}
