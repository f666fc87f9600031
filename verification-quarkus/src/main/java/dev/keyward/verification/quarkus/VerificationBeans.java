package dev.keyward.verification.quarkus;

import dev.keyward.contract.ExchangedToken;
import dev.keyward.verification.KeywardKeySource;
import dev.keyward.verification.OrgKeySource;
import dev.keyward.verification.OrgRulesCache;
import dev.keyward.verification.OrgRulesSource;
import dev.keyward.verification.RequestAuthorizer;
import dev.keyward.verification.RequestRateLimiter;
import dev.keyward.verification.TokenIntrospector;
import dev.keyward.verification.TokenServiceClient;
import dev.keyward.verification.TokenVerifier;
import dev.keyward.verification.VerifierSettings;
import io.quarkus.arc.DefaultBean;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.MutinyEmitter;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.enterprise.inject.Typed;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;
import org.jboss.logging.Logger;

/**
 * The verification beans of a Quarkus service. {@link TokenIntrospector}, {@link OrgKeySource},
 * {@link OrgRulesSource}, {@link KeywardKeySource} and {@link EventSink} are default beans: a service
 * replaces one by declaring its own bean of that type (token-service reads its own database instead
 * of calling itself over HTTP).
 */
@Singleton
public class VerificationBeans {

    private static final Logger LOG = Logger.getLogger(VerificationBeans.class);

    /** How long the producer retries a verification event before it goes to the spool. */
    @ConfigProperty(name = "keyward.verification.events.delivery-timeout", defaultValue = "30s")
    Duration eventsDeliveryTimeout;
    /** Keep undeliverable verification events on disk until the broker takes them. */
    @ConfigProperty(name = "keyward.verification.events.spool.enabled", defaultValue = "true")
    boolean spoolEnabled;
    /** Where; default {@code <java.io.tmpdir>/keyward-events-spool/<application name>}. */
    @ConfigProperty(name = "keyward.verification.events.spool.dir")
    Optional<String> spoolDir;
    @ConfigProperty(name = "keyward.verification.events.spool.max-megabytes", defaultValue = "128")
    long spoolMaxMegabytes;
    /**
     * Identical uses (token, repository, operation, client IP, outcome) within this window become one
     * event with a count; {@code 0} sends one event per use. At most 1 s (the contract's bound).
     */
    @ConfigProperty(name = "keyward.verification.events.coalesce-window", defaultValue = "1s")
    Duration coalesceWindow;
    /** How many distinct uses may be folded at once; beyond it the oldest fold is sent early. */
    @ConfigProperty(name = "keyward.verification.events.coalesce-max-keys", defaultValue = "10000")
    int coalesceMaxKeys;
    /** How often every org's rules (state, rate limits, JWT lifetime, notice days) are read again. */
    @ConfigProperty(name = "keyward.verification.org-rules-refresh", defaultValue = "30s")
    Duration orgRulesRefresh;
    private ScheduledExecutorService orgRulesRefresher;
    /** The {@code iss} of the tokens Keyward signs by token exchange; the same value in every service. */
    @ConfigProperty(name = ExchangedToken.ISSUER_PROPERTY, defaultValue = ExchangedToken.DEFAULT_ISSUER)
    String keywardIssuer;

    private final String tokenServiceUrl;
    private final Optional<String> internalSecret;
    private final Duration timeout;
    private final String applicationName;
    private final Optional<String> kafkaBootstrapServers;
    private final boolean eventsEnabled;
    private final int eventBufferSize;
    private final VerifierSettings settings;

    public VerificationBeans(
            @ConfigProperty(name = "keyward.token-service.url", defaultValue = "http://127.0.0.1:8081") String tokenServiceUrl,
            @ConfigProperty(name = "keyward.internal.secret") Optional<String> internalSecret,
            @ConfigProperty(name = "keyward.verification.introspection-timeout", defaultValue = "2s") Duration timeout,
            @ConfigProperty(name = "quarkus.application.name", defaultValue = "keyward") String applicationName,
            @ConfigProperty(name = "kafka.bootstrap.servers") Optional<String> kafkaBootstrapServers,
            @ConfigProperty(name = "keyward.verification.events.enabled", defaultValue = "true") boolean eventsEnabled,
            @ConfigProperty(name = "keyward.verification.events.buffer-size", defaultValue = "10000") int eventBufferSize,
            @ConfigProperty(name = "keyward.verification.api-key-cache-ttl", defaultValue = "750ms") Duration apiKeyTtl,
            @ConfigProperty(name = "keyward.verification.negative-cache-ttl", defaultValue = "500ms") Duration negativeTtl,
            @ConfigProperty(name = "keyward.verification.jwt-cache-ttl", defaultValue = "30s") Duration jwtCacheTtl,
            @ConfigProperty(name = "keyward.verification.org-key-ttl", defaultValue = "5m") Duration orgKeyTtl,
            @ConfigProperty(name = "keyward.verification.kid-refresh-interval", defaultValue = "1s") Duration kidRefreshInterval,
            @ConfigProperty(name = "keyward.verification.cache-max-entries", defaultValue = "10000") int maxEntries) {
        this.tokenServiceUrl = tokenServiceUrl;
        this.internalSecret = internalSecret;
        this.timeout = timeout;
        this.applicationName = applicationName;
        this.kafkaBootstrapServers = kafkaBootstrapServers;
        this.eventsEnabled = eventsEnabled;
        this.eventBufferSize = eventBufferSize;
        this.settings = new VerifierSettings(apiKeyTtl, negativeTtl, jwtCacheTtl, orgKeyTtl, kidRefreshInterval, maxEntries);
    }

    /** Typed to the class only, so it does not compete with the interface beans below. */
    @Produces
    @Singleton
    @Typed(TokenServiceClient.class)
    TokenServiceClient tokenServiceClient() {
        return new TokenServiceClient(URI.create(tokenServiceUrl), internalSecret.orElse(""), timeout);
    }

    @Produces
    @Singleton
    @DefaultBean
    TokenIntrospector tokenIntrospector(TokenServiceClient client) {
        return client;
    }

    @Produces
    @Singleton
    @DefaultBean
    OrgKeySource orgKeySource(TokenServiceClient client) {
        return client;
    }

    @Produces
    @Singleton
    @DefaultBean
    OrgRulesSource orgRulesSource(TokenServiceClient client) {
        return client;
    }

    @Produces
    @Singleton
    @DefaultBean
    KeywardKeySource keywardKeySource(TokenServiceClient client) {
        return client;
    }

    /**
     * Every org's rules, read at boot and every {@code keyward.verification.org-rules-refresh}
     * (default 30 s); org events change them at once, so the period only bounds how long a replica
     * that missed an event (or started while the token service was down) stays behind.
     */
    @Produces
    @Singleton
    OrgRulesCache orgRulesCache(OrgRulesSource source) {
        OrgRulesCache cache = new OrgRulesCache(source);
        orgRulesRefresher = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "keyward-org-rules");
            thread.setDaemon(true);
            return thread;
        });
        orgRulesRefresher.scheduleWithFixedDelay(() -> {
            try {
                cache.refresh().toCompletableFuture().get(orgRulesRefresh.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                LOG.debugf("org rules not read (%s); trying again in %s", e.toString(), orgRulesRefresh);
            }
        }, 0, orgRulesRefresh.toMillis(), TimeUnit.MILLISECONDS);
        return cache;
    }

    void stopOrgRulesRefresher(@Disposes OrgRulesCache cache) {
        if (orgRulesRefresher != null) {
            orgRulesRefresher.shutdownNow();
        }
    }

    /** The verifier; {@link RevocationListener} keeps its caches in step with revocations and org changes. */
    @Produces
    @Singleton
    TokenVerifier tokenVerifier(TokenIntrospector introspector, OrgKeySource keySource, KeywardKeySource keywardKeys,
                                RequestRateLimiter limiter, OrgRulesCache orgs, VerificationMetrics metrics) {
        return settings.build(introspector, keySource, keywardKeys, keywardIssuer, Clock.systemUTC(), limiter, orgs)
                .observedBy(metrics.timing());
    }

    @Produces
    @Singleton
    @DefaultBean
    EventSink eventSink(@Channel("keyward-verifier-usage") @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 4096)
                        MutinyEmitter<byte[]> usageChannel) {
        if (!eventsEnabled || kafkaBootstrapServers.isEmpty()) {
            return (event, failures) -> { };
        }
        return new KafkaEventSink(usageChannel, eventsDeliveryTimeout.plusSeconds(10));
    }

    /**
     * Producer settings of the {@code keyward-verifier-usage} channel that come from Keyward's own
     * configuration (the rest: META-INF/microprofile-config.properties).
     */
    @Produces
    @Identifier("keyward-verifier-usage")
    Map<String, Object> usageProducerSettings() {
        long delivery = eventsDeliveryTimeout.toMillis();
        return Map.of("client.id", applicationName + "-verification-events",
                "delivery.timeout.ms", (int) delivery,
                "request.timeout.ms", (int) Math.min(30_000, Math.max(1_000, delivery / 2 - 10)));
    }

    @Produces
    @Singleton
    VerificationEvents verificationEvents(EventSink sink) {
        return new VerificationEvents("/keyward/" + applicationName, sink, eventBufferSize, Clock.systemUTC(), spool(),
                coalesceWindow, coalesceMaxKeys);
    }

    /** The spool of undeliverable events, when events go to Kafka; without one they are counted as failed. */
    private EventSpool spool() {
        if (!spoolEnabled || !eventsEnabled || kafkaBootstrapServers.isEmpty()) {
            return null;
        }
        Path dir = spoolDir.map(Path::of)
                .orElseGet(() -> Path.of(System.getProperty("java.io.tmpdir"), "keyward-events-spool", applicationName));
        try {
            EventSpool spool = EventSpool.open(dir, spoolMaxMegabytes * 1024 * 1024);
            if (!spool.isEmpty()) {
                LOG.infof("%d verification events kept in %s from an earlier run go to the broker first",
                        spool.events(), spool.directory());
            }
            return spool;
        } catch (IOException e) {
            LOG.warnf("no event spool in %s (%s): events the broker cannot take are counted as failed", dir, e.toString());
            return null;
        }
    }

    void closeEvents(@Disposes VerificationEvents events) {
        events.close();
    }

    @Produces
    @Singleton
    RequestAuthorizer requestAuthorizer(TokenVerifier verifier, VerificationEvents events, VerificationMetrics metrics) {
        return new RequestAuthorizer(verifier, metrics.counting(events));
    }
}
