package dev.keyward.verification;

import java.util.function.LongSupplier;

/**
 * One rate limit per key (a reporter's key id, a client address), for callers outside the
 * verifier: the same lock-free buckets as {@link RequestRateLimiter} ({@link RateBuckets}).
 */
public final class KeyedRateLimit {

    private final RateBuckets buckets;

    private KeyedRateLimit(RequestRateLimiter.Limit limit, int maxKeys, LongSupplier nanoTime) {
        this.buckets = new RateBuckets(limit, maxKeys, nanoTime);
    }

    /** A limit of {@code limit} per key, tracking at most {@code maxKeys} keys, on {@code nanoTime}. */
    public static KeyedRateLimit of(RequestRateLimiter.Limit limit, int maxKeys, LongSupplier nanoTime) {
        return new KeyedRateLimit(limit, maxKeys, nanoTime);
    }

    public static KeyedRateLimit of(RequestRateLimiter.Limit limit, int maxKeys) {
        return of(limit, maxKeys, System::nanoTime);
    }

    /**
     * Counts one event for {@code key}.
     *
     * @return 0 when it is within the limit, else the nanoseconds until one would be (then it is not counted)
     */
    public long acquire(String key) {
        return buckets.acquire(key);
    }
}
