package dev.keyward.verification.quarkus;

import dev.keyward.contract.RefusalReason;
import dev.keyward.events.EventData;
import dev.keyward.events.EventType;
import dev.keyward.events.KeywardEvent;
import dev.keyward.verification.TracePropagation;
import dev.keyward.verification.UseEvents;
import dev.keyward.verification.Verification;
import dev.keyward.verification.VerifiedPrincipal;
import io.opentelemetry.api.trace.SpanContext;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
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
 * Emits {@code token:used} and {@code auth:failed} without ever blocking a request. With a coalesce
 * window (at most 1 s), identical uses — same token, org, repository, operation, client IP, outcome
 * and reason — are folded into one event with {@code data.count}, {@code first_at} and
 * {@code last_at} ({@link UseCoalescer}): the request thread only counts, and the events thread
 * builds each fold's event when its window ends (on close too, so shutdown loses no count). A push
 * ({@link #pushed}) is never folded. Without a window, and for a push or a fold flushed early, the
 * request thread builds the event and encodes it to its CloudEvents JSON (so that work is spread
 * over all request threads); a bounded buffer holds the encoded events, and one background thread
 * hands them to an {@link EventSink} in batches. When the buffer is full (the sink has been slower than the
 * requests for longer than the buffer lasts) the event is dropped and counted ({@link #dropped()}):
 * a slow broker must not slow git. No event holds a secret: only the key's display prefix.
 * <p>
 * Each event carries the trace of its use (of a fold's first use) to the sink, when tracing is on.
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
    private static final long IDLE_WAIT_MILLIS = 200;
    private static final long FAILURE_LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);
    /** After the sink failed, how long the spool waits before it tries the sink again. */
    private static final long RETRY_AFTER_FAILURE_NANOS = TimeUnit.SECONDS.toNanos(2);
    /** The contract's longest coalesce window: a use is in the audit trail at most this long after it happened. */
    public static final Duration MAX_COALESCE_WINDOW = Duration.ofSeconds(1);

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
    /** Null without a coalesce window: one event per use. */
    private final UseCoalescer<UseKey, Use> coalescer;
    private final long coalesceWindowMillis;
    /** Folds flushed on a request thread (the bound of open keys was reached): through the buffer. */
    private final UseCoalescer.Emitter<UseKey, Use> offerFold =
            (key, use, count, first, last) -> offer(fold(key, use.principal(), count, first, last), use.trace());
    /** Folds flushed on the events thread: straight to the sink. */
    private final UseCoalescer.Emitter<UseKey, Use> handOnFold = this::handOnFold;

    /** What makes two uses the same, for folding; {@code tokenId} is also the event's subject and actor. */
    private record UseKey(EventType type, String org, String tokenId, String keyPrefix, String repo, String operation,
                          String clientIp, String outcome, RefusalReason reason) {
    }

    /** What a fold keeps of its first use besides the key: the principal (null for a failure) and its trace. */
    private record Use(VerifiedPrincipal principal, SpanContext trace) {
    }

    /**
     * One event per use, no spool.
     *
     * @param source   the CloudEvents source, e.g. {@code /keyward/repo-service}
     * @param capacity how many events may wait for the sink
     */
    public VerificationEvents(String source, EventSink sink, int capacity, Clock clock) {
        this(source, sink, capacity, clock, null, Duration.ZERO, 1);
    }

    /**
     * @param spool          where undeliverable events wait for the sink ({@code null}: none, they are
     *                       counted as failed); this object closes it
     * @param coalesceWindow how long identical uses are folded into one event, from the first
     *                       (0: one event per use; at most {@link #MAX_COALESCE_WINDOW})
     * @param maxOpenUses    how many distinct uses may be open at once; beyond it the oldest is sent early
     */
    public VerificationEvents(String source, EventSink sink, int capacity, Clock clock, EventSpool spool,
                              Duration coalesceWindow, int maxOpenUses) {
        if (coalesceWindow.isNegative() || coalesceWindow.compareTo(MAX_COALESCE_WINDOW) > 0) {
            throw new IllegalArgumentException("the coalesce window must be between 0 and " + MAX_COALESCE_WINDOW.toMillis()
                    + " ms, not " + coalesceWindow.toMillis() + " ms");
        }
        this.source = source;
        this.sink = sink;
        this.clock = clock;
        this.buffer = new ArrayBlockingQueue<>(capacity);
        this.coalesceWindowMillis = coalesceWindow.toMillis();
        this.coalescer = coalesceWindow.toMillis() == 0 ? null
                : new UseCoalescer<>(coalesceWindow.toMillis(), maxOpenUses, clock::millis);
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
        UseKey key = new UseKey(EventType.TOKEN_USED, principal.org(), principal.tokenId(), principal.keyPrefix(), repo,
                operation, clientIp, outcome, reason);
        if (coalescer != null) {
            coalescer.add(key, new Use(principal, TracePropagation.current()), offerFold);
        } else {
            offer(event(key, principal, clock.instant(), data(key)), TracePropagation.current());
        }
    }

    @Override
    public void pushed(VerifiedPrincipal principal, String operation, String repo, String clientIp, String outcome,
                       RefusalReason reason, List<RefUpdate> refs) {
        UseKey key = new UseKey(EventType.TOKEN_USED, principal.org(), principal.tokenId(), principal.keyPrefix(), repo,
                operation, clientIp, outcome, reason);
        Map<String, Object> attributes = new HashMap<>(attributesOf(principal));
        attributes.put("refs", refs.stream().map(r -> Map.of("name", r.name(), "old", r.oldId(), "new", r.newId())).toList());
        offer(event(key, null, clock.instant(), data(key).attributes(attributes)), TracePropagation.current());
    }

    @Override
    public void authFailed(Verification.Refused refusal, String operation, String repo, String clientIp, String orgHint) {
        String org = refusal.org() != null ? refusal.org() : orgHint != null ? orgHint : UNKNOWN_ORG;
        UseKey key = new UseKey(EventType.AUTH_FAILED, org, refusal.tokenId(), refusal.keyPrefix(), repo, operation, clientIp,
                FAILURE, refusal.reason());
        if (coalescer != null) {
            coalescer.add(key, new Use(null, TracePropagation.current()), offerFold);
        } else {
            offer(event(key, null, clock.instant(), data(key)), TracePropagation.current());
        }
    }

    /** The event of one use, or of a fold ({@code data} with its count and times). */
    private KeywardEvent event(UseKey key, VerifiedPrincipal principal, Instant time, EventData.Builder data) {
        if (principal != null) {
            data.attributes(attributesOf(principal));
        }
        return KeywardEvent.of(source, key.type(), time, key.tokenId(), data.build());
    }

    private KeywardEvent fold(UseKey key, VerifiedPrincipal principal, long count, long firstMillis, long lastMillis) {
        Instant first = Instant.ofEpochMilli(firstMillis);
        EventData.Builder data = data(key);
        if (count > 1) {
            data.folded(count, first, Instant.ofEpochMilli(lastMillis));
        }
        return event(key, principal, first, data);
    }

    private static EventData.Builder data(UseKey key) {
        return EventData.forOrg(key.org()).actor(key.tokenId()).keyPrefix(key.keyPrefix()).repo(key.repo())
                .operation(key.operation()).clientIp(key.clientIp()).outcome(key.outcome())
                .reason(key.reason() == null ? null : key.reason().wireName());
    }

    private static Map<String, Object> attributesOf(VerifiedPrincipal principal) {
        String subject = String.valueOf(principal.subject());
        String form = principal.form().name().toLowerCase(Locale.ROOT);
        return principal.trustPolicy() == null ? Map.of("subject", subject, "form", form)
                : Map.of("subject", subject, "form", form, "trust_policy", principal.trustPolicy());
    }

    /** A fold whose window ended, on the events thread: encoded and handed on at once. */
    private void handOnFold(UseKey key, Use use, long count, long firstMillis, long lastMillis) {
        KeywardEvent event = fold(key, use.principal(), count, firstMillis, lastMillis);
        EncodedEvent encoded;
        try {
            encoded = EncodedEvent.of(event, use.trace());
        } catch (RuntimeException e) {
            countFailure(event.type(), e);
            return;
        }
        handOn(encoded);
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

    /** Events in the buffer, waiting for the sink, and distinct uses being folded. */
    public int pending() {
        return buffer.size() + (coalescer == null ? 0 : coalescer.openKeys());
    }

    /** Events kept on disk, waiting for the sink (0 without a spool). */
    public long spooled() {
        return spool == null ? 0 : spool.events();
    }

    /**
     * Stops after handing what is buffered and every open fold to the sink, or to the spool (waits up
     * to 5 s); what the spool still holds waits there for the next start.
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

    private void offer(KeywardEvent event, SpanContext trace) {
        EncodedEvent encoded;
        try {
            encoded = EncodedEvent.of(event, trace);
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
            if (coalescer != null) {
                if (stopping) {
                    coalescer.flushAll(handOnFold);
                } else {
                    coalescer.flushDue(handOnFold);
                }
            }
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
                    // Wakes when the oldest fold's window ends, too (and within one window of a new fold).
                    long wait = coalescer == null ? IDLE_WAIT_MILLIS
                            : Math.max(1, Math.min(Math.min(IDLE_WAIT_MILLIS, coalesceWindowMillis), coalescer.millisUntilDue()));
                    first = buffer.poll(wait, TimeUnit.MILLISECONDS);
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
                handOn(event);
            }
            batch.clear();
        }
    }

    /** To the sink, or to the spool while it holds events (they go first). */
    private void handOn(EncodedEvent event) {
        if (spooling) {
            keep(event);
            return;
        }
        try {
            sink.publish(event, failures);
        } catch (Exception e) {
            undelivered(event, e);
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
