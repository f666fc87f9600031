package dev.keyward.verification.quarkus;

import dev.keyward.contract.RefusalReason;
import dev.keyward.verification.TokenVerifier;
import dev.keyward.verification.UseEvents;
import dev.keyward.verification.Verification;
import dev.keyward.verification.VerifiedPrincipal;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The verifier's metrics, the same in every service (Prometheus names in brackets):
 * <ul>
 *   <li>every decision {@code RequestAuthorizer} reports, by the outcome and reason of its event
 *       ({@code keyward_verifications_total{outcome, reason}}: success, denied or failure);</li>
 *   <li>how long verifying a request's credential took, by whether it was verified or refused
 *       ({@code keyward_verification_duration_seconds{outcome}}, a histogram);</li>
 *   <li>requests refused by a rate limit, by limit ({@code keyward_rate_limited_requests_total{limit}});</li>
 *   <li>the verification events on their way to Kafka ({@code keyward_verification_events_*}).</li>
 * </ul>
 * Tags are low-cardinality only: never an org, token or address.
 */
@Singleton
public class VerificationMetrics {

    public static final String DECISIONS = "keyward.verifications";
    public static final String DURATION = "keyward.verification.duration";
    public static final String RATE_LIMITED = "keyward.rate_limited.requests";
    /** Rate limit of {@link #rateLimited}: a token used too fast. */
    public static final String TOKEN_LIMIT = "token";
    /** Rate limit of {@link #rateLimited}: an address with too many failed authentications. */
    public static final String CLIENT_LIMIT = "client";
    private static final String NO_REASON = "none";

    // From a cached API key (microseconds) to an introspection or key fetch (milliseconds, seconds when slow).
    private static final Duration[] BUCKETS = {
            Duration.ofNanos(50_000), Duration.ofNanos(100_000), Duration.ofNanos(250_000), Duration.ofNanos(500_000),
            Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
            Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
            Duration.ofSeconds(1), Duration.ofMillis(2500)};

    private final MeterRegistry registry;
    private final Counter successes;
    private final Map<String, Counter> refusals = new ConcurrentHashMap<>();
    private final Timer verified;
    private final Timer refused;
    private final Map<String, Counter> rateLimited = new ConcurrentHashMap<>();

    public VerificationMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.successes = decisions(UseEvents.SUCCESS, NO_REASON);
        this.verified = duration("verified");
        this.refused = duration("refused");
        rateLimited(TOKEN_LIMIT, 0);
        rateLimited(CLIENT_LIMIT, 0);
    }

    /** {@code events} that also counts each decision it is told of. */
    public UseEvents counting(UseEvents events) {
        return new UseEvents() {
            @Override
            public void used(VerifiedPrincipal principal, String operation, String repo, String clientIp, String outcome,
                             RefusalReason reason) {
                (reason == null ? successes : refusal(outcome, reason)).increment();
                events.used(principal, operation, repo, clientIp, outcome, reason);
            }

            // A push is decided at its start but reported (and counted) once, when it ends or is refused.
            @Override
            public void pushed(VerifiedPrincipal principal, String operation, String repo, String clientIp, String outcome,
                               RefusalReason reason, List<RefUpdate> refs) {
                (reason == null ? successes : refusal(outcome, reason)).increment();
                events.pushed(principal, operation, repo, clientIp, outcome, reason, refs);
            }

            @Override
            public void authFailed(Verification.Refused refusal, String operation, String repo, String clientIp,
                                   String orgHint) {
                refusal(FAILURE, refusal.reason()).increment();
                if (refusal.reason() == RefusalReason.RATE_LIMITED) {
                    // Only a token's own limit knows the token; the address limit refuses before looking at it.
                    rateLimited(refusal.tokenId() != null ? TOKEN_LIMIT : CLIENT_LIMIT);
                }
                events.authFailed(refusal, operation, repo, clientIp, orgHint);
            }
        };
    }

    /** For {@link TokenVerifier#observedBy}: the latency of each request's verification. */
    public TokenVerifier.Observer timing() {
        return (result, nanos) -> (result instanceof Verification.Verified ? verified : refused)
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    /** A request refused by a rate limit ({@link #TOKEN_LIMIT}, {@link #CLIENT_LIMIT} or a service's own). */
    public void rateLimited(String limit) {
        rateLimited(limit, 1);
    }

    /**
     * The buffer, spool and losses of the verification events (a growing spool means Kafka is away),
     * from start-up on: the events are otherwise created at the first authenticated request.
     */
    void watch(@Observes StartupEvent start, VerificationEvents events) {
        Gauge.builder("keyward.verification.events.dropped", events, VerificationEvents::dropped).strongReference(true)
                .description("token:used / auth:failed events dropped because the buffer or the spool was full")
                .register(registry);
        Gauge.builder("keyward.verification.events.failed", events, VerificationEvents::failed).strongReference(true)
                .description("events the Kafka producer could not take and no spool kept").register(registry);
        Gauge.builder("keyward.verification.events.pending", events, VerificationEvents::pending).strongReference(true)
                .description("events waiting for Kafka").register(registry);
        Gauge.builder("keyward.verification.events.spooled", events, VerificationEvents::spooled).strongReference(true)
                .description("events kept on disk until Kafka takes them (a broker outage)").register(registry);
    }

    private Counter refusal(String outcome, RefusalReason reason) {
        return refusals.computeIfAbsent(outcome + '|' + reason.wireName(), k -> decisions(outcome, reason.wireName()));
    }

    private Counter decisions(String outcome, String reason) {
        return Counter.builder(DECISIONS).description("verification decisions, as their token:used / auth:failed events")
                .tag("outcome", outcome).tag("reason", reason).register(registry);
    }

    private Timer duration(String outcome) {
        return Timer.builder(DURATION).description("time to verify a request's credential")
                .tag("outcome", outcome).serviceLevelObjectives(BUCKETS).register(registry);
    }

    private void rateLimited(String limit, int count) {
        rateLimited.computeIfAbsent(limit, l -> Counter.builder(RATE_LIMITED).description("requests refused by a rate limit")
                .tag("limit", l).register(registry)).increment(count);
    }
}
