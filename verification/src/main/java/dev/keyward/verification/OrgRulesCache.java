package dev.keyward.verification;

import dev.keyward.contract.OrgRules;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;

/**
 * Every org's {@link OrgRules} as this replica knows them: read in full from an
 * {@link OrgRulesSource} at start and then periodically, and changed at once by the org events
 * ({@code org:suspended}, {@code org:resumed}, {@code org:deleted}, {@code policy:changed}, and
 * {@code token:revoked} of an exchanged token) that the revocation listener hears, so a suspension
 * or a revoked exchanged token reaches every replica as fast as the revocation of a key.
 * A lookup is one map read: it runs on every verified request.
 */
public final class OrgRulesCache {

    private final OrgRulesSource source;
    private volatile Map<String, OrgRules> rules = Map.of();
    /** Orgs an event changed, with the generation of that event: a full read that began earlier must not undo it. */
    private final Map<String, Long> touched = new ConcurrentHashMap<>();
    private final AtomicLong generation = new AtomicLong();
    private final AtomicBoolean refreshing = new AtomicBoolean();
    private final AtomicBoolean again = new AtomicBoolean();
    private volatile boolean loaded;

    public OrgRulesCache(OrgRulesSource source) {
        this.source = source;
    }

    /** Defaults for every org; for tests and tools without a token service. */
    public static OrgRulesCache defaults() {
        OrgRulesCache cache = new OrgRulesCache(OrgRulesSource.none());
        cache.loaded = true;
        return cache;
    }

    /** The rules of {@code org} ({@link OrgRules#DEFAULT} when none are known). */
    public OrgRules of(String org) {
        OrgRules known = org == null ? null : rules.get(org);
        return known == null ? OrgRules.DEFAULT : known;
    }

    /** Whether a full read has succeeded since start. */
    public boolean loaded() {
        return loaded;
    }

    /** An org changed state (from an event): applies it now, then reads every org's rules again. */
    public CompletionStage<Void> stateChanged(String org, String state) {
        return update(org, r -> r.withState(state));
    }

    /**
     * Changes an org's rules now (from an event), then reads every org's rules again; a full read
     * that began before this change does not undo it.
     */
    public CompletionStage<Void> update(String org, UnaryOperator<OrgRules> change) {
        synchronized (this) {
            long gen = generation.incrementAndGet();
            touched.put(org, gen);
            Map<String, OrgRules> next = new HashMap<>(rules);
            next.put(org, change.apply(of(org)));
            rules = Map.copyOf(next);
        }
        return refresh();
    }

    /**
     * Reads every org's rules again. Concurrent calls share one read, followed by one more when a
     * call came in while it ran (so the last event is always followed by a read that saw it).
     */
    public CompletionStage<Void> refresh() {
        if (!refreshing.compareAndSet(false, true)) {
            again.set(true);
            return CompletableFuture.completedFuture(null);
        }
        long startedAt = generation.get();
        CompletionStage<Map<String, OrgRules>> read;
        try {
            read = source.all();
        } catch (RuntimeException e) {
            read = CompletableFuture.failedFuture(e);
        }
        return read.handle((all, failure) -> {
            if (failure == null && all != null) {
                install(all, startedAt);
            }
            refreshing.set(false);
            if (again.getAndSet(false)) {
                refresh();
            }
            if (failure != null) {
                throw failure instanceof RuntimeException r ? r : new IllegalStateException(failure);
            }
            return null;
        });
    }

    private synchronized void install(Map<String, OrgRules> all, long startedAt) {
        Map<String, OrgRules> next = new HashMap<>(all);
        touched.forEach((org, gen) -> {
            if (gen > startedAt) {
                OrgRules current = rules.get(org);
                if (current != null) {
                    next.put(org, current);
                }
            }
        });
        touched.values().removeIf(gen -> gen <= startedAt);
        rules = Map.copyOf(next);
        loaded = true;
    }
}
