package dev.keyward.audit.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class AuthHealthEvaluatorTest {

    private static final AuthHealthEvaluator.Windows WINDOWS = new AuthHealthEvaluator.Windows(
            Duration.ofMinutes(1), new AuthHealthReport.Limits(5, 20), new AuthHealthReport.Limits(10, 50),
            Duration.ofMinutes(15), new AuthHealthReport.Limits(20, 100), new AuthHealthReport.Limits(50, 200));

    private static AuthHealthReport evaluate(List<AuthHealthEvaluator.Count> prefixes, List<AuthHealthEvaluator.Count> ips) {
        return AuthHealthEvaluator.evaluate("acme", Instant.now(), WINDOWS, prefixes, ips);
    }

    @Test
    void belowEveryThresholdIsOk() {
        AuthHealthReport report = evaluate(List.of(new AuthHealthEvaluator.Count("kw_prod_o_Ab", 4, 19)),
                List.of(new AuthHealthEvaluator.Count("10.0.0.1", 9, 49)));
        assertThat(report.status()).isEqualTo("ok");
        assertThat(report.offenders()).isEmpty();
        assertThat(report.byTokenPrefix()).hasSize(1);
    }

    @Test
    void eitherWindowCanDegradeOrAlert() {
        assertThat(evaluate(List.of(new AuthHealthEvaluator.Count("p", 5, 5)), List.of()).status()).isEqualTo("degraded");
        assertThat(evaluate(List.of(new AuthHealthEvaluator.Count("p", 0, 20)), List.of()).status()).isEqualTo("degraded");
        assertThat(evaluate(List.of(), List.of(new AuthHealthEvaluator.Count("ip", 50, 50))).status()).isEqualTo("alert");
        assertThat(evaluate(List.of(), List.of(new AuthHealthEvaluator.Count("ip", 0, 200))).status()).isEqualTo("alert");
    }

    @Test
    void listsOffendersWorstFirst() {
        AuthHealthReport report = evaluate(
                List.of(new AuthHealthEvaluator.Count("quiet", 1, 1), new AuthHealthEvaluator.Count("noisy", 6, 6)),
                List.of(new AuthHealthEvaluator.Count("10.0.0.9", 60, 60)));
        assertThat(report.status()).isEqualTo("alert");
        assertThat(report.offenders()).extracting(AuthHealthReport.Source::value).containsExactly("10.0.0.9", "noisy");
        assertThat(report.offenders()).extracting(AuthHealthReport.Source::kind).containsExactly("client_ip", "token_prefix");
    }
}
