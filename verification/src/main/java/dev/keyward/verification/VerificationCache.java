package dev.keyward.verification;

import dev.keyward.contract.Digests;
import java.time.Clock;
import java.time.Instant;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Recently verified tokens, keyed by the SHA-256 of the token string (never the token itself),
 * each entry with its own deadline. Bounded: when full, expired entries go first, then arbitrary
 * ones (a miss only costs one more verification).
 */
public final class VerificationCache {

    /** Deadlines in epoch milliseconds: a hit reads the clock without allocating an Instant. */
    private record Entry(Verification result, String tokenId, long untilMillis) {
    }

    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private final int maxEntries;
    private final Clock clock;

    public VerificationCache(int maxEntries, Clock clock) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries must be positive");
        }
        this.maxEntries = maxEntries;
        this.clock = clock;
    }

    /** The cached result for a token, if it is still within its deadline. */
    public Optional<Verification> get(String token) {
        String key = Digests.sha256Hex(token);
        Entry e = entries.get(key);
        if (e == null) {
            return Optional.empty();
        }
        if (clock.millis() >= e.untilMillis()) {
            entries.remove(key, e);
            return Optional.empty();
        }
        return Optional.of(e.result());
    }

    /** Caches {@code result} until {@code until}; nothing happens when that is not in the future. */
    public void put(String token, Verification result, String tokenId, Instant until) {
        Instant now = clock.instant();
        if (!now.isBefore(until)) {
            return;
        }
        if (entries.size() >= maxEntries) {
            makeRoom(now);
        }
        entries.put(Digests.sha256Hex(token), new Entry(result, tokenId, until.toEpochMilli()));
    }

    /** Drops every entry of a token id (revocation, rotation). */
    public void evictToken(String tokenId) {
        if (tokenId != null) {
            entries.values().removeIf(e -> tokenId.equals(e.tokenId()));
        }
    }

    public void clear() {
        entries.clear();
    }

    public int size() {
        return entries.size();
    }

    private void makeRoom(Instant now) {
        long nowMillis = now.toEpochMilli();
        entries.values().removeIf(e -> nowMillis >= e.untilMillis());
        int excess = entries.size() - maxEntries + Math.max(1, maxEntries / 10);
        Iterator<String> it = entries.keySet().iterator();
        while (excess-- > 0 && it.hasNext()) {
            it.next();
            it.remove();
        }
    }
}
