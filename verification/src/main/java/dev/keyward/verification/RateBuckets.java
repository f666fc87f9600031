package dev.keyward.verification;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * One rate per key (a token id, a client address), as the generic cell rate algorithm: each key
 * holds only its "theoretical arrival time" in an {@link AtomicLong}, updated by compare-and-set.
 * No lock, no allocation once a key is known, no background thread. A key whose time lies in the
 * past has its whole burst again, so it is equivalent to an absent one and may be swept.
 */
final class RateBuckets {

    /** A full map is swept at most this often: a flood of new keys must not make every request walk it. */
    private static final long SWEEP_INTERVAL_NANOS = 1_000_000_000L;

    private final long intervalNanos;
    private final long toleranceNanos;
    private final int maxKeys;
    private final LongSupplier nanoTime;
    private final ConcurrentHashMap<String, AtomicLong> arrivals = new ConcurrentHashMap<>();
    private final AtomicBoolean sweeping = new AtomicBoolean();
    private final AtomicLong lastSweep;

    /**
     * @param limit   sustained rate and burst
     * @param maxKeys keys tracked at most; beyond it (after sweeping idle ones) new keys are not limited
     */
    RateBuckets(RequestRateLimiter.Limit limit, int maxKeys, LongSupplier nanoTime) {
        this.intervalNanos = Math.max(1, Math.round(1e9 / limit.perSecond()));
        // Saturating: a limit raised "to infinity" by configuration must not overflow into a negative one.
        this.toleranceNanos = intervalNanos > Long.MAX_VALUE / 4 / limit.burst() ? Long.MAX_VALUE / 4 : intervalNanos * limit.burst();
        this.maxKeys = maxKeys;
        this.nanoTime = nanoTime;
        this.lastSweep = new AtomicLong(nanoTime.getAsLong() - SWEEP_INTERVAL_NANOS);
    }

    /** Counts one event for {@code key}: 0 when within the limit, else the nanoseconds until one would be (not counted). */
    long acquire(String key) {
        AtomicLong arrival = arrivals.get(key);
        long now = nanoTime.getAsLong();
        if (arrival == null) {
            arrival = track(key, now);
            if (arrival == null) {
                return 0;
            }
        }
        while (true) {
            long tat = arrival.get();
            long next = (tat - now > 0 ? tat : now) + intervalNanos;
            long over = next - now - toleranceNanos;
            if (over > 0) {
                return over;
            }
            if (arrival.compareAndSet(tat, next)) {
                return 0;
            }
        }
    }

    /** Without counting: 0 when one more event would be within the limit, else the nanoseconds to wait. */
    long wait(String key) {
        AtomicLong arrival = arrivals.get(key);
        if (arrival == null) {
            return 0;
        }
        long now = nanoTime.getAsLong();
        long tat = arrival.get();
        long over = (tat - now > 0 ? tat : now) + intervalNanos - now - toleranceNanos;
        return Math.max(0, over);
    }

    int trackedKeys() {
        return arrivals.size();
    }

    private AtomicLong track(String key, long now) {
        if (arrivals.size() >= maxKeys) {
            sweep(now);
            if (arrivals.size() >= maxKeys) {
                return null;
            }
        }
        AtomicLong fresh = new AtomicLong(now);
        AtomicLong raced = arrivals.putIfAbsent(key, fresh);
        return raced != null ? raced : fresh;
    }

    /** Drops keys that have their whole burst again; one thread at a time, at most once a second, the others go on. */
    private void sweep(long now) {
        long last = lastSweep.get();
        if (now - last >= SWEEP_INTERVAL_NANOS && lastSweep.compareAndSet(last, now) && sweeping.compareAndSet(false, true)) {
            try {
                arrivals.values().removeIf(arrival -> arrival.get() - now <= 0);
            } finally {
                sweeping.set(false);
            }
        }
    }
}
