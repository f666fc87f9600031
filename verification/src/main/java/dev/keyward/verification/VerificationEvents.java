package dev.keyward.verification;

import dev.keyward.events.EventData;
import dev.keyward.events.EventType;
import dev.keyward.events.KeywardEvent;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Emits {@code token:used} and {@code auth:failed} without ever blocking a request: events go into
 * a bounded buffer that one background thread drains into an {@link EventSink}. When the buffer is
 * full the event is dropped and counted ({@link #dropped()}) — a slow broker must not slow git.
 * No event holds a secret: only the key's display prefix.
 */
public final class VerificationEvents implements AutoCloseable {

    public static final String SUCCESS = "success";
    public static final String DENIED = "denied";
    public static final String FAILURE = "failure";
    private static final Logger LOG = Logger.getLogger(VerificationEvents.class.getName());
    /** The org of an event about a credential whose org cannot be known (an unknown key). */
    public static final String UNKNOWN_ORG = "unknown";

    private final String source;
    private final EventSink sink;
    private final Clock clock;
    private final BlockingQueue<KeywardEvent> buffer;
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final Thread worker;
    private volatile boolean running = true;

    /**
     * @param source   the CloudEvents source, e.g. {@code /keyward/repo-service}
     * @param capacity how many events may wait for the sink
     */
    public VerificationEvents(String source, EventSink sink, int capacity, Clock clock) {
        this.source = source;
        this.sink = sink;
        this.clock = clock;
        this.buffer = new ArrayBlockingQueue<>(capacity);
        this.worker = new Thread(this::drain, "keyward-verification-events");
        worker.setDaemon(true);
        worker.start();
    }

    /**
     * A use of a verified token: {@code outcome} {@link #SUCCESS}, or {@link #DENIED} with the
     * {@code reason} (scope, wrong_org) when the token was good but not for this.
     */
    public void used(VerifiedPrincipal principal, String operation, String repo, String clientIp, String outcome,
                     RefusalReason reason) {
        EventData data = EventData.forOrg(principal.org()).actor(principal.tokenId()).keyPrefix(principal.keyPrefix())
                .repo(repo).operation(operation).clientIp(clientIp).outcome(outcome)
                .reason(reason == null ? null : reason.wireName())
                .attributes(Map.of("subject", String.valueOf(principal.subject()), "form", principal.form().name().toLowerCase(java.util.Locale.ROOT)))
                .build();
        offer(KeywardEvent.of(source, EventType.TOKEN_USED, clock.instant(), principal.tokenId(), data));
    }

    /** A refused credential. {@code orgHint} (e.g. from the URL) is used when the refusal does not know the org. */
    public void authFailed(Verification.Refused refusal, String operation, String repo, String clientIp, String orgHint) {
        String org = refusal.org() != null ? refusal.org() : orgHint != null ? orgHint : UNKNOWN_ORG;
        EventData data = EventData.forOrg(org).actor(refusal.tokenId()).keyPrefix(refusal.keyPrefix()).repo(repo)
                .operation(operation).clientIp(clientIp).outcome(FAILURE).reason(refusal.reason().wireName()).build();
        offer(KeywardEvent.of(source, EventType.AUTH_FAILED, clock.instant(), refusal.tokenId(), data));
    }

    /** Queues an event; false (and counted) when the buffer is full. */
    public boolean offer(KeywardEvent event) {
        if (buffer.offer(event)) {
            return true;
        }
        dropped.incrementAndGet();
        return false;
    }

    /** Events dropped because the buffer was full. */
    public long dropped() {
        return dropped.get();
    }

    /** Events the sink refused (e.g. the broker was unreachable for longer than its timeout). */
    public long failed() {
        return failed.get();
    }

    /** Events waiting for the sink. */
    public int pending() {
        return buffer.size();
    }

    private void drain() {
        while (running || !buffer.isEmpty()) {
            KeywardEvent event;
            try {
                event = buffer.poll(200, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (event == null) {
                continue;
            }
            try {
                sink.publish(event);
            } catch (Exception e) {
                failed.incrementAndGet();
                LOG.log(Level.WARNING, "cannot publish {0} event: {1}", new Object[] {event.type().wireName(), e.toString()});
            }
        }
    }

    /** Stops after handing what is buffered to the sink (waits up to 5 s). */
    @Override
    public void close() {
        running = false;
        try {
            worker.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
