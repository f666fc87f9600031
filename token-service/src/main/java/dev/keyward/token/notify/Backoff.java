package dev.keyward.token.notify;

import java.time.Duration;

/** Exponential backoff between delivery attempts: first, 2×first, 4×first, … capped. */
public record Backoff(Duration first, Duration max) {

    /** The wait after attempt number {@code attempts} (1-based) failed. */
    public Duration after(int attempts) {
        int doublings = Math.max(0, Math.min(attempts - 1, 30));
        Duration wait = first.multipliedBy(1L << doublings);
        return wait.compareTo(max) > 0 ? max : wait;
    }
}
