package dev.keyward.token.exchange;

import dev.keyward.contract.ExchangedToken;
import dev.keyward.token.notify.WebhookTarget;
import dev.keyward.verification.OrgKeyCache;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Token exchange as the operator configured it: Keyward's issuer URL, the cap on an exchanged
 * token's lifetime, the address rules for trust policy issuers, and the verifier of workload tokens
 * with its cache of issuer keys.
 */
@ApplicationScoped
public class ExchangeSettings {

    /** No exchanged token lives longer than a day, whatever the cap: verifiers keep revocations that long at most. */
    public static final long LONGEST_TTL_SECONDS = Duration.ofDays(1).toSeconds();

    private final String issuer;
    private final long maxTtlCapSeconds;
    private final WebhookTarget.Settings issuerRules;
    private final WorkloadTokenVerifier workloads;
    private final ExecutorService fetches;

    public ExchangeSettings(
            @ConfigProperty(name = ExchangedToken.ISSUER_PROPERTY, defaultValue = ExchangedToken.DEFAULT_ISSUER) String issuer,
            @ConfigProperty(name = "keyward.exchange.max-ttl", defaultValue = "3600s") Duration maxTtlCap,
            @ConfigProperty(name = "keyward.exchange.issuer.allow-http", defaultValue = "false") boolean allowHttp,
            @ConfigProperty(name = "keyward.exchange.issuer.allowed-cidrs") Optional<List<String>> allowedCidrs,
            @ConfigProperty(name = "keyward.exchange.issuer.timeout", defaultValue = "5s") Duration fetchTimeout,
            @ConfigProperty(name = "keyward.exchange.issuer.keys-ttl", defaultValue = "5m") Duration keysTtl,
            @ConfigProperty(name = "keyward.exchange.issuer.kid-refresh-interval", defaultValue = "10s") Duration kidRefresh,
            Clock clock) {
        this.issuer = issuer;
        this.maxTtlCapSeconds = maxTtlCap.toSeconds();
        this.issuerRules = new WebhookTarget.Settings(allowHttp, allowedCidrs.orElse(List.of()));
        AtomicInteger n = new AtomicInteger();
        // DNS and HTTP to issuers block: a few threads of their own, never the event loop or the common pool.
        this.fetches = Executors.newFixedThreadPool(4, task -> {
            Thread t = new Thread(task, "keyward-issuer-fetch-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        IssuerKeySource source = new IssuerKeySource(issuerRules, WebhookTarget.Resolver.SYSTEM, fetchTimeout, fetches);
        this.workloads = new WorkloadTokenVerifier(new OrgKeyCache(source, keysTtl, kidRefresh, clock), clock);
    }

    // Observing start builds the bean, so a bad setting stops the service at boot.
    void checkAtStart(@Observes StartupEvent start) {
        if (maxTtlCapSeconds < 60 || maxTtlCapSeconds > LONGEST_TTL_SECONDS) {
            throw new IllegalStateException("keyward.exchange.max-ttl must be between 60 s and 24 h");
        }
        URI parsed = URI.create(issuer);
        if (parsed.getScheme() == null || parsed.getHost() == null) {
            throw new IllegalStateException(ExchangedToken.ISSUER_PROPERTY + " must be an absolute URL");
        }
    }

    @PreDestroy
    void stop() {
        fetches.shutdownNow();
    }

    /** Keyward's issuer URL, the {@code iss} of every token it signs. */
    public String issuer() {
        return issuer;
    }

    /** The longest lifetime a trust policy may give its tokens (and the default). */
    public long maxTtlCapSeconds() {
        return maxTtlCapSeconds;
    }

    /** The rules a trust policy's issuer URL must pass (the webhook rules, with their own settings). */
    public WebhookTarget.Settings issuerRules() {
        return issuerRules;
    }

    public WorkloadTokenVerifier workloads() {
        return workloads;
    }
}
