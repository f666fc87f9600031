package dev.keyward.verification;

import dev.keyward.contract.ApiKeyFormat;
import dev.keyward.contract.OrgRules;
import dev.keyward.contract.RefusalReason;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Request rate limits in front of and behind verification, in process (each replica counts its
 * own requests):
 * <ul>
 *   <li><b>per client address, failed authentications</b>: a client whose refused credentials
 *       (malformed, bad checksum, unknown, revoked, expired, bad signature, CIDR...) exceed the
 *       limit is refused {@link RefusalReason#RATE_LIMITED} before its next token is even looked
 *       at, whatever it presents, until its budget refills;</li>
 *   <li><b>per token, verified requests</b>: a token used faster than the limit of its
 *       environment ({@code dev} keys lower than {@code prod}; customer-signed JWTs count as
 *       {@code prod}) is refused {@link RefusalReason#RATE_LIMITED}.</li>
 * </ul>
 * Keyed by token id, not by the 12-character display prefix (which holds only two or three
 * random characters and would put unrelated tokens in one bucket). Lock-free; see
 * {@link RateBuckets}.
 */
public final class RequestRateLimiter {

    /**
     * A sustained rate and the burst allowed above it.
     *
     * @param perSecond sustained events per second (may be below 1)
     * @param burst     events allowed at once on top of the sustained rate
     */
    public record Limit(double perSecond, int burst) {
        public Limit {
            if (!(perSecond > 0) || burst < 1) {
                throw new IllegalArgumentException("a rate limit needs a positive rate and a burst of at least 1");
            }
        }
    }

    /**
     * @param prod          verified requests per {@code prod} token (and per customer-signed JWT)
     * @param dev           verified requests per {@code dev} token
     * @param failedAuth    refused credentials per client address
     * @param maxTrackedKeys tokens and addresses tracked at most by each limit
     */
    public record Settings(Limit prod, Limit dev, Limit failedAuth, int maxTrackedKeys) {
    }

    private static final RequestRateLimiter UNLIMITED = new RequestRateLimiter(null, System::nanoTime);

    private final RateBuckets prod;
    private final RateBuckets dev;
    private final RateBuckets failures;
    /** Buckets of orgs whose policy sets rates of its own, by environment and org. */
    private final Map<String, OrgBuckets> perOrg = new ConcurrentHashMap<>();
    private static final int MAX_ORG_BUCKETS = 10_000;
    private final int maxTrackedKeys;
    private final LongSupplier nanoTime;

    private RequestRateLimiter(Settings settings, LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
        this.maxTrackedKeys = settings == null ? 0 : settings.maxTrackedKeys();
        if (settings == null) {
            prod = dev = failures = null;
        } else {
            prod = new RateBuckets(settings.prod(), settings.maxTrackedKeys(), nanoTime);
            dev = new RateBuckets(settings.dev(), settings.maxTrackedKeys(), nanoTime);
            failures = new RateBuckets(settings.failedAuth(), settings.maxTrackedKeys(), nanoTime);
        }
    }

    /** A limiter with these limits, on {@code nanoTime} (tests pass a clock of their own). */
    public static RequestRateLimiter of(Settings settings, LongSupplier nanoTime) {
        return new RequestRateLimiter(Objects.requireNonNull(settings, "settings"), nanoTime);
    }

    public static RequestRateLimiter of(Settings settings) {
        return of(settings, System::nanoTime);
    }

    /** A limiter that limits nothing. */
    public static RequestRateLimiter unlimited() {
        return UNLIMITED;
    }

    public boolean isUnlimited() {
        return failures == null;
    }

    /**
     * Before verification: a refusal when {@code clientIp} has used up its failed-authentication
     * budget, else null.
     */
    public Verification.Refused admitClient(String clientIp) {
        if (failures == null || clientIp == null) {
            return null;
        }
        long wait = failures.wait(clientIp);
        return wait == 0 ? null : limited("too many failed authentications from this address", wait);
    }

    /**
     * After verification: counts a refused credential against {@code clientIp}, a verified one
     * against its token; returns {@code verification}, or a {@link RefusalReason#RATE_LIMITED}
     * refusal naming the token when it is used too fast.
     */
    public Verification account(Verification verification, String clientIp) {
        return account(verification, clientIp, null);
    }

    /**
     * As {@link #account(Verification, String)}, with the rates of the token's org policy
     * ({@code null}: this service's configured defaults). An org's rates get buckets of their own,
     * with a burst of ten seconds' worth, built again when the policy changes them.
     */
    public Verification account(Verification verification, String clientIp, OrgRules.RateLimits orgRates) {
        if (failures == null) {
            return verification;
        }
        if (verification instanceof Verification.Verified ok) {
            VerifiedPrincipal p = ok.principal();
            boolean isDev = ApiKeyFormat.environmentOfPrefix(p.keyPrefix()).orElse(ApiKeyFormat.Environment.PROD)
                    == ApiKeyFormat.Environment.DEV;
            RateBuckets buckets = orgRates == null ? (isDev ? dev : prod)
                    : orgBuckets(p.org(), isDev, isDev ? orgRates.dev() : orgRates.prod());
            long wait = buckets.acquire(p.tokenId());
            return wait == 0 ? verification
                    : limited("this token is used faster than its rate limit", wait)
                    .withKeyPrefix(p.keyPrefix()).withOrg(p.org()).withTokenId(p.tokenId());
        }
        RefusalReason reason = ((Verification.Refused) verification).reason();
        if (clientIp != null && countsAsFailure(reason)) {
            failures.acquire(clientIp);
        }
        return verification;
    }

    private RateBuckets orgBuckets(String org, boolean isDev, double perSecond) {
        String key = (isDev ? "dev|" : "prod|") + org;
        OrgBuckets known = perOrg.get(key);
        if (known != null && known.perSecond() == perSecond) {
            return known.buckets();
        }
        if (perOrg.size() >= MAX_ORG_BUCKETS) {
            perOrg.clear();
        }
        OrgBuckets fresh = new OrgBuckets(perSecond, new RateBuckets(
                new Limit(perSecond, (int) Math.max(1, Math.min(Integer.MAX_VALUE, Math.ceil(perSecond * 10)))), maxTrackedKeys, nanoTime));
        perOrg.put(key, fresh);
        return fresh.buckets();
    }

    private record OrgBuckets(double perSecond, RateBuckets buckets) {
    }

    /** A refused credential, as opposed to none, an outage, or a refusal of ours. */
    private static boolean countsAsFailure(RefusalReason reason) {
        return reason != RefusalReason.MISSING && reason != RefusalReason.UNAVAILABLE && reason != RefusalReason.RATE_LIMITED;
    }

    private static Verification.Refused limited(String message, long waitNanos) {
        long seconds = Math.max(1, (waitNanos + 999_999_999L) / 1_000_000_000L);
        return Verification.refused(RefusalReason.RATE_LIMITED, message + "; retry after " + seconds + " s")
                .withRetryAfter(Duration.ofSeconds(seconds));
    }
}
