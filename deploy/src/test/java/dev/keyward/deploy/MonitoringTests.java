package dev.keyward.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keyward.testsupport.MonitoredMetrics;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The monitoring component as prod renders it: ServiceMonitors that reach the services, the alerts
 * the operations guide promises, a Grafana dashboard that loads, and no expression that names a
 * metric the services do not export. The last is checked in two halves that meet in
 * {@code metrics.txt}: here, the expressions name exactly the listed metrics; in each service, its
 * {@code /q/metrics} serves every metric listed for it. A metric renamed on either side fails one.
 */
class MonitoringTests {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\(\\s*([a-zA-Z_:][a-zA-Z0-9_:]*)");

    private final List<Manifest> prod = Overlays.render(Overlays.PROD);

    @Test
    void each_service_is_scraped_on_its_metrics_path() {
        for (String service : Overlays.SERVICES) {
            Manifest monitor = DeploymentRules.named(prod, "ServiceMonitor", service);
            assertThat(monitor).as(service).isNotNull();
            assertThat(DeploymentRules.selects(monitor.at("/spec/selector"),
                    DeploymentRules.named(prod, "Service", service).at("/metadata/labels"))).as(service).isTrue();
            assertThat(monitor.at("/spec/endpoints/0/path").asText()).isEqualTo("/q/metrics");
            assertThat(monitor.at("/spec/endpoints/0/port").asText()).isEqualTo("http");
        }
        assertThat(DeploymentRules.kind(Overlays.render(Overlays.DEV), "ServiceMonitor")).as("dev needs no Prometheus Operator").isEmpty();
    }

    @Test
    void the_alerts_of_the_operations_guide_are_there_and_say_what_to_do() {
        List<JsonNode> rules = rules();
        Set<String> alerts = new TreeSet<>();
        for (JsonNode rule : rules) {
            String alert = rule.path("alert").asText();
            alerts.add(alert);
            assertThat(rule.path("expr").asText()).as(alert).isNotBlank();
            assertThat(rule.at("/labels/severity").asText()).as(alert).isIn("warning", "critical");
            assertThat(rule.at("/annotations/summary").asText()).as(alert).isNotBlank();
            assertThat(rule.at("/annotations/description").asText()).as(alert).isNotBlank();
        }
        assertThat(alerts).containsExactlyInAnyOrder("KeywardOutboxBacklogOld", "KeywardAuditConsumerLag",
                "KeywardAuthHealthAlert", "KeywardVerificationEventsSpooled", "KeywardVerificationEventsLost",
                "KeywardJobFailing");
    }

    @Test
    void the_dashboard_is_a_grafana_dashboard_with_a_query_in_every_panel() throws Exception {
        Manifest configMap = DeploymentRules.named(prod, "ConfigMap", "keyward-dashboard");
        assertThat(configMap.at("/metadata/labels/grafana_dashboard").asText()).isEqualTo("1");
        JsonNode dashboard = dashboard();

        assertThat(dashboard.path("uid").asText()).isEqualTo("keyward");
        assertThat(dashboard.path("title").asText()).isEqualTo("Keyward");
        Set<Integer> ids = new HashSet<>();
        int queries = 0;
        for (JsonNode panel : dashboard.path("panels")) {
            String title = panel.path("title").asText();
            assertThat(ids.add(panel.path("id").asInt())).as("unique id of " + title).isTrue();
            JsonNode grid = panel.path("gridPos");
            assertThat(grid.path("x").asInt() + grid.path("w").asInt()).as(title).isBetween(1, 24);
            if (panel.path("type").asText().equals("row")) {
                continue;
            }
            assertThat(panel.at("/datasource/uid").asText()).as(title).isEqualTo("${datasource}");
            assertThat(panel.path("targets")).as(title).isNotEmpty();
            Set<String> refIds = new HashSet<>();
            for (JsonNode target : panel.path("targets")) {
                assertThat(target.path("expr").asText()).as(title).contains("namespace=\"$namespace\"");
                assertThat(refIds.add(target.path("refId").asText())).as(title).isTrue();
                queries++;
            }
        }
        assertThat(queries).isGreaterThan(20);
    }

    @Test
    void the_alerts_and_the_dashboard_name_exactly_the_listed_metrics() throws Exception {
        Set<String> named = new TreeSet<>();
        for (String expression : expressions()) {
            named.addAll(PromQl.metrics(expression));
        }
        Map<String, String> listed = MonitoredMetrics.listed();

        assertThat(named).as("metrics the expressions name; " + MonitoredMetrics.LIST + " must list each")
                .containsExactlyInAnyOrderElementsOf(listed.keySet());
        assertThat(Set.copyOf(listed.values())).isSubsetOf("all", "token-service", "repo-service", "audit-service");
    }

    @Test
    void promql_names_the_metrics_an_expression_reads() {
        assertThat(PromQl.metrics("histogram_quantile(0.99, sum by (le) (rate(a_seconds_bucket{ns=\"x\", le!=\"+Inf\"}[5m])))"))
                .containsExactly("a_seconds_bucket");
        assertThat(PromQl.metrics("max by (namespace, pod) (delta(b[10m]) + delta(c{x=~\"a|b\"}[10m])) > 0 and on (pod) up"))
                .containsExactly("b", "c", "up");
        assertThat(PromQl.metrics("sum(rate(d_total[$__rate_interval])) / sum without (job) (e) offset 1h > bool 1e3"))
                .containsExactly("d_total", "e");
        // A rename in an expression is a name the list does not hold.
        assertThat(MonitoredMetrics.listed()).doesNotContainKey(PromQl.metrics(
                "max(keyward_outbox_oldest_age_seconds) > 60".replace("oldest_age", "age")).iterator().next());
    }

    private List<JsonNode> rules() {
        List<JsonNode> rules = new ArrayList<>();
        DeploymentRules.kind(prod, "PrometheusRule").forEach(r -> r.at("/spec/groups")
                .forEach(g -> g.path("rules").forEach(rules::add)));
        return rules;
    }

    private JsonNode dashboard() throws Exception {
        return JSON.readTree(DeploymentRules.named(prod, "ConfigMap", "keyward-dashboard").at("/data/keyward.json").asText());
    }

    /** Every PromQL expression of the alerts and the dashboard (panel queries and variable queries). */
    private List<String> expressions() throws Exception {
        List<String> expressions = new ArrayList<>();
        rules().forEach(rule -> expressions.add(rule.path("expr").asText()));
        JsonNode dashboard = dashboard();
        dashboard.path("panels").forEach(p -> p.path("targets").forEach(t -> expressions.add(t.path("expr").asText())));
        for (JsonNode variable : dashboard.at("/templating/list")) {
            Matcher m = LABEL_VALUES.matcher(variable.at("/query/query").asText(variable.path("query").asText()));
            if (m.find()) {
                expressions.add(m.group(1));
            }
        }
        return expressions;
    }
}
