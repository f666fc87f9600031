package dev.keyward.repo.config;

import io.quarkus.runtime.StartupEvent;
import io.smallrye.config.SmallRyeConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * BENCHMARK ONLY: {@code keyward.benchmark.unauthorized-repo-reads-org} lets {@code GET /v1/repos/{id}}
 * requests that carry no credentials at all read that org's repositories without any verification,
 * so a benchmark can compare the authorized endpoint with the same endpoint minus authorization in
 * one process. Requests that carry credentials are verified as always. Off unless set; refused
 * (the service does not start) when the {@code prod} profile is active; logged loudly at start.
 */
@ApplicationScoped
public class BenchmarkAuthorizationSwitch {

    public static final String PROPERTY = "keyward.benchmark.unauthorized-repo-reads-org";
    private static final Logger LOG = Logger.getLogger(BenchmarkAuthorizationSwitch.class);

    private final Optional<String> org;

    @Inject
    public BenchmarkAuthorizationSwitch(@ConfigProperty(name = PROPERTY) Optional<String> org) {
        this(org.filter(o -> !o.isBlank()), ConfigProvider.getConfig().unwrap(SmallRyeConfig.class).getProfiles());
    }

    BenchmarkAuthorizationSwitch(Optional<String> org, List<String> activeProfiles) {
        if (org.isPresent() && activeProfiles.contains("prod")) {
            throw new IllegalStateException(PROPERTY + " switches authorization off and is refused in the prod profile;"
                    + " benchmarks run repo-service with -Dquarkus.profile=bench");
        }
        this.org = org;
    }

    void announce(@Observes StartupEvent start) {
        org.ifPresent(o -> LOG.warnf("BENCHMARK MODE: %s=%s — GET /v1/repos/{id} WITHOUT credentials reads org %s"
                + " WITH NO AUTHORIZATION. Never run this outside a benchmark.", PROPERTY, o, o));
    }

    /** The org an unauthenticated read is served for, when the switch is on and the request carries no credentials. */
    public Optional<String> unauthorizedReadOrg(String authorization, String apiKey) {
        if (org.isEmpty() || (authorization != null && !authorization.isBlank()) || (apiKey != null && !apiKey.isBlank())) {
            return Optional.empty();
        }
        return org;
    }
}
