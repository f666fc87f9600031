package dev.keyward.verification.quarkus;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * Folds identical uses (equal keys) seen within one window into one count, exactly: every use
 * counted is handed to an {@link Emitter} once, in the count of exactly one fold. A key's window
 * opens with its first use and is flushed by {@link #flushDue} once it has lasted the window (or
 * earlier, when the number of open keys reaches its bound, or on {@link #flushAll}). Thread-safe and
 * lock-free: a use costs one map lookup and one atomic add; a new key also an entry in a queue.
 *
 * @param <K> what makes two uses the same (with {@code equals} and {@code hashCode})
 * @param <T> what the event is built from besides the key (kept from the window's first use)
 */
final class UseCoalescer<K, T> {

    /** Where a flushed fold goes; called on the thread that flushed it. */
    @FunctionalInterface
    interface Emitter<K, T> {
        void emit(K key, T template, long count, long firstMillis, long lastMillis);
    }

    /** A count that a flush has taken: adds after it see a negative number and open a new window. */
    private static final long SEALED = Long.MIN_VALUE / 2;
    private static final VarHandle COUNT;
    private static final VarHandle LAST;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            COUNT = lookup.findVarHandle(Open.class, "count", long.class);
            LAST = lookup.findVarHandle(Open.class, "last", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final long windowMillis;
    private final int maxOpen;
    private final LongSupplier millis;
    private final ConcurrentHashMap<K, Open<K, T>> open = new ConcurrentHashMap<>();
    /** Open windows in the order they opened: with one window length, also the order they end. */
    private final Queue<Open<K, T>> byAge = new ConcurrentLinkedQueue<>();
    private final AtomicInteger size = new AtomicInteger();

    /**
     * @param windowMillis how long a key's window lasts, from its first use (at least 1)
     * @param maxOpen      how many keys may be open at once; at the bound the oldest is flushed early
     * @param millis       the clock, in milliseconds
     */
    UseCoalescer(long windowMillis, int maxOpen, LongSupplier millis) {
        if (windowMillis < 1 || maxOpen < 1) {
            throw new IllegalArgumentException("window and bound must be positive");
        }
        this.windowMillis = windowMillis;
        this.maxOpen = maxOpen;
        this.millis = millis;
    }

    /**
     * Counts one use of {@code key}. When that opens a key beyond the bound, the oldest open key is
     * flushed first, to {@code overflow}, on this thread; so is the key's own fold when its window
     * ended before the flusher came.
     */
    void add(K key, T template, Emitter<K, T> overflow) {
        long now = millis.getAsLong();
        Open<K, T> current = open.get(key);
        while (true) {
            if (current == null) {
                if (size.get() >= maxOpen) {
                    flushOldest(overflow);
                }
                Open<K, T> fresh = new Open<>(key, template, now);
                current = open.putIfAbsent(key, fresh);
                if (current == null) {
                    size.incrementAndGet();
                    byAge.add(fresh);
                    return;
                }
            }
            if (now - current.first >= windowMillis) {
                // Its window ended and the flusher has not come yet: no use joins a fold longer than the window.
                seal(current, overflow);
            } else if (current.add(now)) {
                return;
            } else {
                open.remove(key, current); // flushed meanwhile (its flusher removes it too): open a new window
            }
            current = null;
        }
    }

    /** Flushes every key whose window has ended; returns how many folds it emitted. */
    int flushDue(Emitter<K, T> emitter) {
        long now = millis.getAsLong();
        int flushed = 0;
        Open<K, T> head;
        while ((head = byAge.peek()) != null && now - head.first >= windowMillis) {
            // Another thread may have taken the head meanwhile: then this takes the next one, at
            // worst a little early, which loses nothing.
            Open<K, T> oldest = byAge.poll();
            if (oldest != null && seal(oldest, emitter)) {
                flushed++;
            }
        }
        return flushed;
    }

    /** Milliseconds until the oldest open window ends (0 when it has); {@code Long.MAX_VALUE} with none open. */
    long millisUntilDue() {
        Open<K, T> head = byAge.peek();
        return head == null ? Long.MAX_VALUE : Math.max(0, head.first + windowMillis - millis.getAsLong());
    }

    /** Flushes every open key now (on close). */
    void flushAll(Emitter<K, T> emitter) {
        for (Open<K, T> o : open.values()) {
            seal(o, emitter);
        }
        byAge.removeIf(o -> (long) COUNT.getVolatile(o) < 0);
    }

    /** Keys open now. */
    int openKeys() {
        return size.get();
    }

    private void flushOldest(Emitter<K, T> emitter) {
        Open<K, T> oldest;
        while ((oldest = byAge.poll()) != null) {
            if (seal(oldest, emitter)) {
                return;
            }
        }
    }

    /** Takes the fold's count for good; false when another flush took it first. */
    private boolean seal(Open<K, T> o, Emitter<K, T> emitter) {
        long count = (long) COUNT.getAndSet(o, SEALED);
        if (count < 0) {
            return false;
        }
        open.remove(o.key, o);
        size.decrementAndGet();
        emitter.emit(o.key, o.template, count, o.first, (long) LAST.getVolatile(o));
        return true;
    }

    /** One key's open window. */
    private static final class Open<K, T> {
        final K key;
        final T template;
        final long first;
        @SuppressWarnings("unused") // through COUNT
        volatile long count = 1;
        @SuppressWarnings("unused") // through LAST
        volatile long last;

        Open(K key, T template, long first) {
            this.key = key;
            this.template = template;
            this.first = first;
            this.last = first;
        }

        /** Counts one use at {@code now}; false when the window was flushed meanwhile. */
        boolean add(long now) {
            // The time first, then the count: a flush that takes this use's count sees its time too.
            long seen = (long) LAST.getVolatile(this);
            while (now > seen && !LAST.compareAndSet(this, seen, now)) {
                seen = (long) LAST.getVolatile(this);
            }
            // An add after the seal leaves the count negative (SEALED is far from both ends): it is not counted.
            return (long) COUNT.getAndAdd(this, 1L) >= 0;
        }
    }
}
