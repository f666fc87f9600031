package dev.keyward.audit.service;

import dev.keyward.audit.config.AuditConfig;
import dev.keyward.audit.repository.AuthFailureRepository;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Failed-authentication health of one org, computed from the stored {@code auth:failed} events so
 * every replica gives the same answer and a restart loses nothing.
 */
@ApplicationScoped
public class AuthHealth {

    private final AuthFailureRepository failures;
    private final AuthHealthEvaluator.Windows windows;
    private final int top;
    private final Clock clock = Clock.systemUTC();

    public AuthHealth(AuthFailureRepository failures, AuditConfig config) {
        this.failures = failures;
        AuditConfig.AuthHealth c = config.authHealth();
        this.windows = new AuthHealthEvaluator.Windows(
                c.shortWindow().length(), limits(c.shortWindow().tokenPrefix()), limits(c.shortWindow().clientIp()),
                c.longWindow().length(), limits(c.longWindow().tokenPrefix()), limits(c.longWindow().clientIp()));
        this.top = c.top();
    }

    public Uni<AuthHealthReport> evaluate(String org) {
        Instant now = clock.instant();
        Instant shortStart = now.minus(windows.shortLength());
        Instant longStart = now.minus(windows.longLength());
        return failures.byTokenPrefix(org, shortStart, longStart, top)
                .chain(prefixes -> failures.byClientIp(org, shortStart, longStart, top)
                        .map(ips -> AuthHealthEvaluator.evaluate(org, now, windows, prefixes, ips)));
    }

    /** How many orgs are at each level other than ok ({@code degraded}, {@code alert}), one org at a time. */
    public Uni<Map<String, Long>> orgsByStatus() {
        return failures.orgsFailingSince(clock.instant().minus(windows.longLength()))
                .onItem().transformToMulti(orgs -> Multi.createFrom().iterable(orgs))
                .onItem().transformToUniAndConcatenate(this::evaluate)
                .collect().with(Collectors.groupingBy(AuthHealthReport::status, Collectors.counting()));
    }

    private static AuthHealthReport.Limits limits(AuditConfig.Thresholds t) {
        return new AuthHealthReport.Limits(t.degraded(), t.alert());
    }
}
