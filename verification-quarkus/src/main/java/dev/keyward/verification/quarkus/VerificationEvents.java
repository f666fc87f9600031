package dev.keyward.verification.quarkus;

import dev.keyward.contract.RefusalReason;
import dev.keyward.events.EventData;
import dev.keyward.events.EventType;
import dev.keyward.events.KeywardEvent;
import dev.keyward.verification.UseEvents;
import dev.keyward.verification.Verification;
import dev.keyward.verification.VerifiedPrincipal;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Emits {@code token:used} and {@code auth:failed} without ever blocking a request. The request
 * thread builds the event and encodes it to its CloudEvents JSON (so that work is spread over all
 * request threads); a bounded buffer holds the encoded events, and one background thread hands them
 * to an {@link EventSink} in batches. When the buffer is full (the sink has been slower than the
 * requests for longer than the buffer lasts) the event is dropped and counted ({@link #dropped()}):
 * a slow broker must not slow git. No event holds a secret: only the key's display prefix.
 * <p>
 * With an {@link EventSpool}, an event the sink cannot take (it throws, or reports the event
 * undelivered later, e.g. Kafka has been unreachable for longer than the producer's timeouts) is
 * kept on disk instead of lost, and so is every event after it while the spool holds any: a
 * broker outage then delays uses and loses none. A second background thread hands the spool back
 * to the sink, oldest first, and deletes each part once the sink has flushed it; what fails again
 * goes back into the spool. Delivery is therefore at least once; consumers deduplicate on the
 * event id.
 */
public final class VerificationEvents implements UseEvents, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(VerificationEvents.class.getName());
    /** The org of an event about a credential whose org cannot be known (an unknown key). */
    public static final String UNKNOWN_ORG = "unknown";

    private static final int BATCH = 512;
    /*
     * While events keep coming the events thread naps instead of waiting on the buffer: a waiting
     * thread has to be woken by every offer, a system call on the request thread. After this many
     * empty naps in a row it waits on the buffer again (an idle service then wakes a few times a second).
     */
    private static final long NAP_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final int NAPS_BEFORE_WAITING = 50;
    private static final long FAILURE_LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);
    /** After the sink failed, how long the spool waits before it tries the sink again. */
    private static final long RETRY_AFTER_FAILURE_NANOS = TimeUnit.SECONDS.toNanos(2);

    private final String source;
    private final EventSink sink;
    private final Clock clock;
    private final BlockingQueue<EncodedEvent> buffer;
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong nextFailureLog = new AtomicLong(System.nanoTime());
    private final AtomicLong sinkFailures = new AtomicLong();
    private final EventSink.Failures failures = this::undelivered;
    private final EventSpool spool;
    private final Thread worker;
    private final Thread replayer;
    private volatile boolean running = true;
    /** Whether new events go to the spool (it holds some, or the sink failed lately). */
    private volatile boolean spooling;
    private volatile long lastSinkFailure = System.nanoTime();

    /**
     * @param source   the CloudEvents source, e.g. {@code /keyward/repo-service}
     * @param capacity how many events may wait for the sink
     */
    public VerificationEvents(String source, EventSink sink, int capacity, Clock clock) {
        this(source, sink, capacity, clock, null);
    }

    /**
     * @param spool where undeliverable events wait for the sink ({@code null}: none, they are
     *              counted as failed); this object closes it
     */
    public VerificationEvents(String source, EventSink sink, int capacity, Clock clock, EventSpool spool) {
        this.source = source;
        this.sink = sink;
        this.clock = clock;
        this.buffer = new ArrayBlockingQueue<>(capacity);
        this.spool = spool;
        this.spooling = spool != null && !spool.isEmpty(); // left by an earlier process: those go first
        this.worker = new Thread(this::drain, "keyward-verification-events");
        worker.setDaemon(true);
        worker.start();
        if (spool != null) {
            this.replayer = new Thread(this::replay, "keyward-verification-events-spool");
            replayer.setDaemon(true);
            replayer.start();
        } else {
            this.replayer = null;
        }
    }

    @Override
    public void used(VerifiedPrincipal principal, String operation, String repo, String clientIp, String outcome,
                     RefusalReason reason) {
        String subject = String.valueOf(principal.subject());
        String form = principal.form().name().toLowerCase(Locale.ROOT);
        EventData data = EventData.forOrg(principal.org()).actor(principal.tokenId()).keyPrefix(principal.keyPrefix())
                .repo(repo).operation(operation).clientIp(clientIp).outcome(outcome)
                .reason(reason == null ? null : reason.wireName())
                .attributes(principal.trustPolicy() == null ? Map.of("subject", subject, "form", form)
                        : Map.of("subject", subject, "form", form, "trust_policy", principal.trustPolicy()))
                .build();
        offer(KeywardEvent.of(source, EventType.TOKEN_USED, clock.instant(), principal.tokenId(), data));
    }

    @Override
    public void authFailed(Verification.Refused refusal, String operation, String repo, String clientIp, String orgHint) {
        String org = refusal.org() != null ? refusal.org() : orgHint != null ? orgHint : UNKNOWN_ORG;
        EventData data = EventData.forOrg(org).actor(refusal.tokenId()).keyPrefix(refusal.keyPrefix()).repo(repo)
                .operation(operation).clientIp(clientIp).outcome(FAILURE).reason(refusal.reason().wireName()).build();
        offer(KeywardEvent.of(source, EventType.AUTH_FAILED, clock.instant(), refusal.tokenId(), data));
    }

    /** Events dropped because the buffer was full. */
    public long dropped() {
        return dropped.get();
    }

    /**
     * Events that could not be encoded, or that the sink refused or later reported undelivered
     * (e.g. the broker was unreachable for longer than the producer's timeouts).
     */
    public long failed() {
        return failed.get();
    }

    /** Events in the buffer, waiting for the sink. */
    public int pending() {
        return buffer.size();
    }

    /** Events kept on disk, waiting for the sink (0 without a spool). */
    public long spooled() {
        return spool == null ? 0 : spool.events();
    }

    /**
     * Stops after handing what is buffered to the sink, or to the spool (waits up to 5 s); what the
     * spool still holds waits there for the next start.
     */
    @Override
    public void close() {
        running = false;
        LockSupport.unpark(worker);
        try {
            worker.join(5000);
            if (replayer != null) {
                replayer.interrupt();
                replayer.join(5000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (spool != null) {
            try {
                spool.close();
            } catch (IOException e) {
                LOG.log(Level.WARNING, "cannot close the event spool: {0}", e.toString());
            }
        }
    }

    private void offer(KeywardEvent event) {
        EncodedEvent encoded;
        try {
            encoded = EncodedEvent.of(event);
        } catch (RuntimeException e) {
            countFailure(event.type(), e);
            return;
        }
        if (!buffer.offer(encoded)) {
            dropped.incrementAndGet();
        }
    }

    private void drain() {
        List<EncodedEvent> batch = new ArrayList<>(BATCH);
        int emptyNaps = 0;
        while (true) {
            boolean stopping = !running; // read before draining, so what was offered before close() is still sent
            if (buffer.drainTo(batch, BATCH) == 0) {
                if (stopping) {
                    return;
                }
                if (emptyNaps++ < NAPS_BEFORE_WAITING) {
                    LockSupport.parkNanos(NAP_NANOS);
                    continue;
                }
                EncodedEvent first;
                try {
                    first = buffer.poll(200, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                if (first == null) {
                    continue;
                }
                batch.add(first);
            }
            emptyNaps = 0;
            for (EncodedEvent event : batch) {
                if (spooling) {
                    keep(event);
                    continue;
                }
                try {
                    sink.publish(event, failures);
                } catch (Exception e) {
                    undelivered(event, e);
                }
            }
            batch.clear();
        }
    }

    /** An event the sink could not take: into the spool, or counted as failed without one. */
    private void undelivered(EncodedEvent event, Exception cause) {
        if (spool == null) {
            countFailure(event.type(), cause);
            return;
        }
        sinkFailures.incrementAndGet();
        lastSinkFailure = System.nanoTime();
        if (!spooling) {
            spooling = true;
            LOG.log(Level.WARNING, "cannot publish {0} event, keeping verification events in {1} until the broker takes them: {2}",
                    new Object[] {event.type().wireName(), spool.directory(), cause.toString()});
        }
        keep(event);
    }

    private void keep(EncodedEvent event) {
        try {
            if (!spool.append(event)) {
                dropped.incrementAndGet(); // the spool is full
            }
        } catch (IOException e) {
            countFailure(event.type(), e);
        }
    }

    /**
     * Hands the spool back to the sink, oldest part first. A part is deleted only after the sink
     * flushed it: each of its events was then either delivered or, failing, spooled again.
     */
    private void replay() {
        while (running) {
            try {
                if (System.nanoTime() - lastSinkFailure < RETRY_AFTER_FAILURE_NANOS) {
                    Thread.sleep(100);
                    continue;
                }
                Optional<EventSpool.Segment> oldest = spool.oldest();
                if (oldest.isEmpty()) {
                    if (spooling) {
                        spooling = false; // an event spooled meanwhile is found on the next round
                        LOG.log(Level.INFO, "the broker takes verification events again; the spool is empty");
                    }
                    Thread.sleep(100);
                    continue;
                }
                long failuresBefore = sinkFailures.get();
                for (EncodedEvent event : spool.read(oldest.get())) {
                    try {
                        sink.publish(event, failures);
                    } catch (Exception e) {
                        undelivered(event, e);
                    }
                }
                sink.flush();
                spool.delete(oldest.get());
                if (sinkFailures.get() != failuresBefore) {
                    lastSinkFailure = System.nanoTime();
                }
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                lastSinkFailure = System.nanoTime();
                LOG.log(Level.WARNING, "cannot hand the event spool to the sink: {0}", e.toString());
            }
        }
    }

    /** Counts every failure; logs the first and then at most one per interval (an outage fails thousands). */
    private void countFailure(EventType type, Exception cause) {
        long total = failed.incrementAndGet();
        long now = System.nanoTime();
        long next = nextFailureLog.get();
        if (now - next >= 0 && nextFailureLog.compareAndSet(next, now + FAILURE_LOG_INTERVAL_NANOS)) {
            LOG.log(Level.WARNING, "cannot publish {0} event ({1} verification events failed so far): {2}",
                    new Object[] {type.wireName(), total, cause.toString()});
        }
    }
}
