package dev.keyward.token.config;

import io.quarkus.arc.DefaultBean;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;

/**
 * The service's notion of "now" for token lifecycle decisions (expiry on create, the active
 * listing, the scheduled jobs). A default bean, so tests can supply their own {@link Clock} and
 * move time instead of sleeping.
 */
@ApplicationScoped
public class ClockProducer {

    @Produces
    @Singleton
    @DefaultBean
    Clock clock() {
        return Clock.systemUTC();
    }
}
