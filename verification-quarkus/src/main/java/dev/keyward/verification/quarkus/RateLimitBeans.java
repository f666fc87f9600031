package dev.keyward.verification.quarkus;

import dev.keyward.verification.RequestRateLimiter;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The {@link RequestRateLimiter} of a service, from {@code keyward.rate-limit.*} (defaults in
 * verification/README.md). Limits are per replica.
 */
@Singleton
public class RateLimitBeans {

    private final RequestRateLimiter limiter;

    public RateLimitBeans(
            @ConfigProperty(name = "keyward.rate-limit.enabled", defaultValue = "true") boolean enabled,
            @ConfigProperty(name = "keyward.rate-limit.prod.per-second", defaultValue = "100") double prodRate,
            @ConfigProperty(name = "keyward.rate-limit.prod.burst", defaultValue = "1000") int prodBurst,
            @ConfigProperty(name = "keyward.rate-limit.dev.per-second", defaultValue = "10") double devRate,
            @ConfigProperty(name = "keyward.rate-limit.dev.burst", defaultValue = "100") int devBurst,
            @ConfigProperty(name = "keyward.rate-limit.failed-auth.per-second", defaultValue = "1") double failedRate,
            @ConfigProperty(name = "keyward.rate-limit.failed-auth.burst", defaultValue = "30") int failedBurst,
            @ConfigProperty(name = "keyward.rate-limit.max-tracked", defaultValue = "100000") int maxTracked) {
        this.limiter = enabled
                ? RequestRateLimiter.of(new RequestRateLimiter.Settings(new RequestRateLimiter.Limit(prodRate, prodBurst),
                        new RequestRateLimiter.Limit(devRate, devBurst), new RequestRateLimiter.Limit(failedRate, failedBurst), maxTracked))
                : RequestRateLimiter.unlimited();
    }

    @Produces
    @Singleton
    RequestRateLimiter requestRateLimiter() {
        return limiter;
    }
}
