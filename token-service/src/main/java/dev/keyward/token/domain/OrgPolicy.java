package dev.keyward.token.domain;

import dev.keyward.token.error.ApiException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * An org's token policy and the rules it imposes on a new token.
 *
 * @param defaultTtlSeconds   lifetime when a request names no {@code expires_in}
 * @param minExpiresInSeconds smallest allowed {@code expires_in}
 * @param maxExpiresInSeconds largest allowed {@code expires_in}
 * @param allowNeverExpiring  whether {@code expires_in: 0} (never) is allowed
 * @param maxActivePerUser    active tokens one creating user may have
 * @param maxActivePerOrg     active tokens the org may have
 * @param defaultCidrs        CIDR blocks applied when a request names none (may be empty)
 * @param webhookUrl          where deprecation notices go, if anywhere
 */
public record OrgPolicy(long defaultTtlSeconds, long minExpiresInSeconds, long maxExpiresInSeconds,
                        boolean allowNeverExpiring, int maxActivePerUser, int maxActivePerOrg,
                        List<String> defaultCidrs, String webhookUrl) {

    /** SPEC's defaults: 90 days, 3,600–31,536,000 s, no never-expiring tokens, 12 per user, 1,000 per org. */
    public static final OrgPolicy DEFAULT = new OrgPolicy(Duration.ofDays(90).toSeconds(), 3_600, 31_536_000,
            false, 12, 1_000, List.of(), null);

    public OrgPolicy {
        defaultCidrs = defaultCidrs == null ? List.of() : List.copyOf(defaultCidrs);
    }

    /**
     * When a token created at {@code now} with the requested {@code expiresIn} expires; empty for never.
     *
     * @throws ApiException 422 when {@code expiresIn} is outside the policy
     */
    public Optional<Instant> expiryFor(Long expiresIn, Instant now) {
        if (expiresIn == null) {
            return Optional.of(now.plusSeconds(defaultTtlSeconds));
        }
        if (expiresIn == 0) {
            if (!allowNeverExpiring) {
                throw ApiException.invalid("expires_in 0 (never expires) is not allowed by this org's policy");
            }
            return Optional.empty();
        }
        if (expiresIn < minExpiresInSeconds || expiresIn > maxExpiresInSeconds) {
            throw ApiException.invalid("expires_in must be between " + minExpiresInSeconds + " and "
                    + maxExpiresInSeconds + " seconds" + (allowNeverExpiring ? ", or 0 for never" : ""));
        }
        return Optional.of(now.plusSeconds(expiresIn));
    }
}
