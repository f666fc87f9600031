package dev.keyward.token.jobs;

import dev.keyward.token.repository.BlockingDatabase;
import dev.keyward.token.signing.SigningKeys;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Signing key rotation: when the key that signs exchanged tokens is older than
 * {@code keyward.signing-keys.rotate-after} (30 days), a new one takes over and the old one is
 * retired but stays in the JWKS until its tokens have expired; keys out of the JWKS for a day are
 * deleted. The rules are {@link SigningKeys}'; this is their schedule.
 */
@ApplicationScoped
public class SigningKeyRotationJob implements ScheduledJob {

    public static final String NAME = "signing-keys";

    private final BlockingDatabase database;
    private final SigningKeys keys;
    private final Clock clock;

    public SigningKeyRotationJob(BlockingDatabase database, SigningKeys keys, Clock clock) {
        this.database = database;
        this.keys = keys;
        this.clock = clock;
    }

    @Override
    public String name() {
        return NAME;
    }

    /** "kwsigrot". */
    @Override
    public long lockKey() {
        return 0x6b77736967726f74L;
    }

    @Override
    public Map<String, Long> run() {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        SigningKeys.Rotation rotation = database.await(() -> keys.rotateIfDue(now));
        long deleted = database.await(() -> keys.deleteUnpublished(now));
        Map<String, Long> counts = new LinkedHashMap<>();
        counts.put("created", rotation.created());
        counts.put("retired", rotation.retired());
        counts.put("deleted", deleted);
        return counts;
    }
}
