package dev.keyward.token.service;

import dev.keyward.contract.ApiKeyFormat;
import dev.keyward.token.repository.TokenEntity;
import dev.keyward.token.repository.TokenRepository;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * Resolves a presented opaque key to its token record, from this service's own database: the
 * checksum rejects typos without I/O, then the keyed hash finds the record.
 */
@ApplicationScoped
public class KeyResolver {

    private final TokenRepository tokens;
    private final KeyHasher hasher;

    public KeyResolver(TokenRepository tokens, KeyHasher hasher) {
        this.tokens = tokens;
        this.hasher = hasher;
    }

    /** What a key resolves to: an active token, or why not. */
    public record Resolution(TokenEntity token, String inactiveReason) {
        public boolean active() {
            return inactiveReason == null;
        }

        static Resolution inactive(String reason) {
            return new Resolution(null, reason);
        }
    }

    public Uni<Resolution> resolve(String presented) {
        if (ApiKeyFormat.parse(presented).isEmpty()) {
            return Uni.createFrom().item(Resolution.inactive("unknown"));
        }
        String hash = hasher.hash(presented);
        return Panache.withSession(() -> tokens.findByKeyHash(hash)).map(token -> judge(token, hash));
    }

    /** Whether the key with keyed hash {@code hash} is a live key of {@code token} (the one {@code hash} found, or null). */
    static Resolution judge(TokenEntity token, String hash) {
        if (token == null) {
            return Resolution.inactive("unknown");
        }
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        boolean current = KeyHasher.sameSecret(token.keyHash, hash);
        boolean previous = !current && KeyHasher.sameSecret(token.previousKeyHash, hash);
        if (!current && !previous) {
            return Resolution.inactive("unknown");
        }
        TokenEntity.State state = token.state(now);
        if (state == TokenEntity.State.REVOKED) {
            return Resolution.inactive("revoked");
        }
        // A rotated-away key lives only until the end of the rotation's grace period.
        if (previous && (token.previousKeyExpiresAt == null || !token.previousKeyExpiresAt.isAfter(now))) {
            return Resolution.inactive("revoked");
        }
        if (state == TokenEntity.State.EXPIRED) {
            return Resolution.inactive("expired");
        }
        return new Resolution(token, null);
    }
}
