package dev.keyward.verification;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.PublicJsonWebKey;
import org.jose4j.lang.JoseException;

/**
 * Each org's public JWKs, fetched from an {@link OrgKeySource} and kept for a TTL. A {@code kid}
 * that is not known triggers one refresh, at most once per {@code minRefreshInterval} per org, so a
 * stream of made-up kids cannot hammer the token service. When a refresh fails the last known keys
 * stay in use.
 */
public final class OrgKeyCache {

    private record Keys(Map<String, PublicJsonWebKey> byKid, Instant fetchedAt) {
    }

    private final OrgKeySource source;
    private final Duration ttl;
    private final Duration minRefreshInterval;
    private final Clock clock;
    private final Map<String, Keys> keys = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<Keys>> inFlight = new ConcurrentHashMap<>();

    public OrgKeyCache(OrgKeySource source, Duration ttl, Duration minRefreshInterval, Clock clock) {
        this.source = source;
        this.ttl = ttl;
        this.minRefreshInterval = minRefreshInterval;
        this.clock = clock;
    }

    /** The org's key with this kid; empty when the org has none by that name (even after a refresh). */
    public CompletionStage<Optional<PublicJsonWebKey>> find(String org, String kid) {
        Keys known = keys.get(org);
        Instant now = clock.instant();
        if (known != null && now.isBefore(known.fetchedAt().plus(ttl))) {
            PublicJsonWebKey key = known.byKid().get(kid);
            if (key != null) {
                return CompletableFuture.completedFuture(Optional.of(key));
            }
            if (now.isBefore(known.fetchedAt().plus(minRefreshInterval))) {
                return CompletableFuture.completedFuture(Optional.empty());
            }
        }
        return refresh(org, known).thenApply(k -> Optional.ofNullable(k.byKid().get(kid)));
    }

    /** Forgets an org's keys, e.g. after the org changed them. */
    public void invalidate(String org) {
        keys.remove(org);
    }

    private CompletionStage<Keys> refresh(String org, Keys stale) {
        CompletableFuture<Keys> mine = new CompletableFuture<>();
        CompletableFuture<Keys> running = inFlight.putIfAbsent(org, mine);
        if (running != null) {
            return running;
        }
        CompletionStage<List<Map<String, Object>>> fetched;
        try {
            fetched = source.keys(org);
        } catch (RuntimeException e) {
            fetched = CompletableFuture.failedFuture(e);
        }
        fetched.whenComplete((jwks, failure) -> {
            inFlight.remove(org, mine);
            if (failure != null) {
                if (stale != null) {
                    // Keep serving the last known keys, and do not retry before the refresh interval.
                    Keys kept = new Keys(stale.byKid(), clock.instant().minus(ttl).plus(minRefreshInterval));
                    keys.put(org, kept);
                    mine.complete(kept);
                } else {
                    mine.completeExceptionally(failure);
                }
                return;
            }
            Keys fresh = new Keys(parse(jwks), clock.instant());
            keys.put(org, fresh);
            mine.complete(fresh);
        });
        return mine;
    }

    private static Map<String, PublicJsonWebKey> parse(List<Map<String, Object>> jwks) {
        Map<String, PublicJsonWebKey> byKid = new HashMap<>();
        if (jwks == null) {
            return byKid;
        }
        for (Map<String, Object> jwk : jwks) {
            try {
                if (JsonWebKey.Factory.newJwk(jwk) instanceof PublicJsonWebKey pk && pk.getKeyId() != null) {
                    byKid.put(pk.getKeyId(), pk);
                }
            } catch (JoseException | RuntimeException e) {
                // A key that cannot be read cannot verify anything; the others still can.
            }
        }
        return Map.copyOf(byKid);
    }
}
