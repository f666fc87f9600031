package dev.keyward.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Each rule, fed the rendered prod (or dev) set with one thing broken, names that thing. The
 * unbroken sets pass every rule (RenderedOverlaysTests), so each failure here is caused by the edit.
 */
class DeploymentRulesTests {

    private static final String TOKEN = "Deployment/token-service";
    private static final String REPO = "Deployment/repo-service";
    private static final String CONTAINER = "/spec/template/spec/containers/0";

    @Test
    void probes_rule_wants_liveness_and_readiness_on_health_endpoints() {
        assertThat(DeploymentRules.probes(prodWith(TOKEN, d -> container(d).remove("livenessProbe"))))
                .containsExactly("Deployment/token-service container token-service has no livenessProbe");
        assertThat(DeploymentRules.probes(prodWith(TOKEN, d -> container(d).withObjectProperty("readinessProbe").withObjectProperty("httpGet").put("path", "/"))))
                .singleElement().asString().contains("readinessProbe does not call a /q/health endpoint");
    }

    @Test
    void resources_rule_wants_requests_and_limits() {
        assertThat(DeploymentRules.resources(prodWith(REPO, d -> container(d).withObjectProperty("resources").withObjectProperty("limits").remove("memory"))))
                .containsExactly("Deployment/repo-service container repo-service has no resources.limits.memory");
        assertThat(DeploymentRules.resources(prodWith(REPO, d -> container(d).remove("resources")))).hasSize(4);
    }

    @Test
    void image_rule_wants_a_fixed_tag_or_digest() {
        assertThat(DeploymentRules.imageTags(prodWith(TOKEN, d -> container(d).put("image", "registry.example.com:5000/keyward/token-service"))))
                .singleElement().asString().contains("has no tag");
        assertThat(DeploymentRules.imageTags(prodWith(TOKEN, d -> container(d).put("image", "keyward/token-service:latest"))))
                .singleElement().asString().contains("latest");
        assertThat(DeploymentRules.imageTags(prodWith(TOKEN, d -> container(d).put("image",
                "keyward/token-service@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")))).isEmpty();
    }

    @Test
    void security_rule_wants_non_root_read_only_and_no_capabilities() {
        assertThat(DeploymentRules.containerSecurity(prodWith(TOKEN, d -> container(d).withObjectProperty("securityContext").put("readOnlyRootFilesystem", false))))
                .singleElement().asString().contains("writable root file system");
        assertThat(DeploymentRules.containerSecurity(prodWith(TOKEN, d -> container(d).withObjectProperty("securityContext").remove("capabilities"))))
                .singleElement().asString().contains("does not drop ALL capabilities");
        assertThat(DeploymentRules.containerSecurity(prodWith(TOKEN, d -> pod(d).withObjectProperty("securityContext").put("runAsNonRoot", false))))
                .singleElement().asString().contains("may run as root");
        assertThat(DeploymentRules.containerSecurity(prodWith(TOKEN, d -> container(d).withObjectProperty("securityContext").remove("allowPrivilegeEscalation"))))
                .singleElement().asString().contains("privilege escalation");
        assertThat(DeploymentRules.containerSecurity(prodWith(TOKEN, d -> pod(d).remove("automountServiceAccountToken"))))
                .singleElement().asString().contains("service account token");
    }

    @Test
    void config_map_rule_refuses_secret_keys_and_secret_looking_values() {
        String configMap = DeploymentRules.kind(prod(), "ConfigMap").get(0).ref();

        assertThat(DeploymentRules.noSecretsInConfigMaps(prodWith(configMap, c -> data(c).put("KEYWARD_DB_PASSWORD", "x"))))
                .singleElement().asString().contains("KEYWARD_DB_PASSWORD names a secret");
        assertThat(DeploymentRules.noSecretsInConfigMaps(prodWith(configMap, c -> data(c).put("KEYWARD_PEPPER", "x")))).hasSize(1);
        assertThat(DeploymentRules.noSecretsInConfigMaps(prodWith(configMap, c -> data(c).put("KEYWARD_BOOTSTRAP_TOKEN", "x")))).hasSize(1);
        assertThat(DeploymentRules.noSecretsInConfigMaps(prodWith(configMap, c -> data(c).put("QUARKUS_OIDC_CREDENTIALS_SECRET", "x")))).hasSize(1);
        assertThat(DeploymentRules.noSecretsInConfigMaps(prodWith(configMap, c -> data(c).put("ADMIN", "kw_prod_o_AbCdEf123"))))
                .singleElement().asString().contains("looks like secret material");
        // Settings that merely mention a token are fine: the token service's URL, a file path.
        assertThat(DeploymentRules.noSecretsInConfigMaps(prodWith(configMap, c -> data(c)
                .put("KEYWARD_TOKEN_SERVICE_URL", "http://token-service:8081")
                .put("KEYWARD_BOOTSTRAP_TOKEN_FILE", "/tmp/admin-token")))).isEmpty();
    }

    @Test
    void network_policy_rule_wants_default_deny_and_an_own_policy_per_service() {
        assertThat(DeploymentRules.networkPolicies(without(prod(), "NetworkPolicy/repo-service")))
                .containsExactly("Deployment/repo-service: no NetworkPolicy of its own allows its ingress and egress");
        assertThat(DeploymentRules.networkPolicies(without(prod(), "NetworkPolicy/keyward-default-deny"))).hasSize(3)
                .allSatisfy(v -> assertThat(v).contains("no default-deny NetworkPolicy"));
        assertThat(DeploymentRules.networkPolicies(prodWith("NetworkPolicy/keyward-default-deny",
                p -> p.withObjectProperty("spec").withArrayProperty("policyTypes").remove(1)))).hasSize(3);
    }

    @Test
    void scaling_rule_wants_a_disruption_budget_and_an_autoscaler_for_replicated_services() {
        assertThat(DeploymentRules.disruptionBudgetsAndAutoscalers(without(prod(), "PodDisruptionBudget/token-service")))
                .containsExactly("Deployment/token-service runs several replicas but no PodDisruptionBudget selects its pods");
        assertThat(DeploymentRules.disruptionBudgetsAndAutoscalers(without(prod(), "HorizontalPodAutoscaler/audit-service")))
                .containsExactly("Deployment/audit-service runs several replicas but no HorizontalPodAutoscaler targets it");
    }

    @Test
    void read_write_once_rule_keeps_repo_service_to_one_recreated_pod() {
        assertThat(DeploymentRules.singleWriterOfReadWriteOnceVolumes(prodWith(REPO, d -> d.withObjectProperty("spec").put("replicas", 2))))
                .singleElement().asString().contains("several replicas on the ReadWriteOnce claim");
        assertThat(DeploymentRules.singleWriterOfReadWriteOnceVolumes(prodWith(REPO,
                d -> d.withObjectProperty("spec").withObjectProperty("strategy").put("type", "RollingUpdate"))))
                .singleElement().asString().contains("Recreate");
        List<Manifest> autoscaled = prodWith("HorizontalPodAutoscaler/token-service",
                h -> h.withObjectProperty("spec").withObjectProperty("scaleTargetRef").put("name", "repo-service"));
        assertThat(DeploymentRules.singleWriterOfReadWriteOnceVolumes(autoscaled))
                .singleElement().asString().contains("autoscaled");
        // With the ReadWriteMany component the same scale-out is allowed.
        assertThat(DeploymentRules.singleWriterOfReadWriteOnceVolumes(Overlays.render(Overlays.PROD_RWX))).isEmpty();
    }

    @Test
    void wiring_rule_finds_references_that_lead_nowhere() {
        assertThat(DeploymentRules.wiring(prodWith("Service/audit-service",
                s -> s.withObjectProperty("spec").withObjectProperty("selector").put("app.kubernetes.io/name", "audit"))))
                .containsExactly("Service/audit-service selects no pods of any Deployment");
        assertThat(DeploymentRules.wiring(prodWith(TOKEN,
                d -> d.withObjectProperty("spec").withObjectProperty("selector").withObjectProperty("matchLabels").put("app.kubernetes.io/name", "token"))))
                .singleElement().asString().contains("spec.selector does not match");
        assertThat(DeploymentRules.wiring(prodWith(TOKEN, d -> container(d).withObjectProperty("livenessProbe").withObjectProperty("httpGet").put("port", "management"))))
                .singleElement().asString().contains("undeclared port management");
        assertThat(DeploymentRules.wiring(prodWith("HorizontalPodAutoscaler/token-service",
                h -> h.withObjectProperty("spec").withObjectProperty("scaleTargetRef").put("name", "token"))))
                .singleElement().asString().contains("targets Deployment/token");
        assertThat(DeploymentRules.wiring(without(prod(), "PersistentVolumeClaim/repo-service-repositories")))
                .singleElement().asString().contains("mounts the claim repo-service-repositories");
        String configMap = DeploymentRules.kind(prod(), "ConfigMap").get(0).ref();
        assertThat(DeploymentRules.wiring(without(prod(), configMap))).singleElement().asString().contains("reads the ConfigMap");
    }

    @Test
    void wiring_rule_wants_each_service_monitor_to_reach_a_service_port() {
        assertThat(DeploymentRules.wiring(prodWith("ServiceMonitor/audit-service", m -> ((ObjectNode) m.at("/spec/selector/matchLabels"))
                .put("app.kubernetes.io/name", "audit"))))
                .containsExactly("ServiceMonitor/audit-service selects no Service");
        assertThat(DeploymentRules.wiring(prodWith("ServiceMonitor/token-service", m -> ((ObjectNode) m.at("/spec/endpoints/0"))
                .put("port", "metrics"))))
                .containsExactly("ServiceMonitor/token-service scrapes the port metrics, which Service/token-service does not name");
    }

    @Test
    void wiring_rule_wants_every_required_secret_where_secrets_are_rendered() {
        List<Manifest> dev = Overlays.render(Overlays.DEV);

        assertThat(DeploymentRules.wiring(without(dev, "Secret/keyward-token-pepper")))
                .containsExactly("Deployment/token-service container token-service needs key pepper of Secret "
                        + "keyward-token-pepper, which is not rendered");
        assertThat(DeploymentRules.wiring(with(dev, "Secret/keyward-internal", s -> s.withObjectProperty("data").remove("internal-secret"))))
                .hasSize(3);
    }

    @Test
    void a_path_without_kubectl_is_reported_clearly() throws Exception {
        Path empty = Files.createTempDirectory("no-kubectl");
        Path withKubectl = Files.createTempDirectory("with-kubectl");
        Path fake = Files.createFile(withKubectl.resolve("kubectl"));
        fake.toFile().setExecutable(true);

        assertThat(Kustomize.findOnPath("kubectl", empty.toString())).isEmpty();
        assertThat(Kustomize.findOnPath("kubectl", empty + File.pathSeparator + withKubectl)).contains(fake);
    }

    private static List<Manifest> prod() {
        return Overlays.render(Overlays.PROD);
    }

    private static List<Manifest> prodWith(String ref, Consumer<ObjectNode> edit) {
        return with(prod(), ref, edit);
    }

    /** A deep copy of the set with one object edited; fails if there is no such object. */
    private static List<Manifest> with(List<Manifest> set, String ref, Consumer<ObjectNode> edit) {
        assertThat(set).extracting(Manifest::ref).contains(ref);
        return set.stream().map(m -> {
            ObjectNode copy = m.body().deepCopy();
            if (m.ref().equals(ref)) {
                edit.accept(copy);
            }
            return Manifest.of(copy);
        }).toList();
    }

    private static List<Manifest> without(List<Manifest> set, String ref) {
        assertThat(set).extracting(Manifest::ref).contains(ref);
        return set.stream().filter(m -> !m.ref().equals(ref)).toList();
    }

    private static ObjectNode container(ObjectNode deployment) {
        return (ObjectNode) deployment.at(CONTAINER);
    }

    private static ObjectNode pod(ObjectNode deployment) {
        return (ObjectNode) deployment.at("/spec/template/spec");
    }

    private static ObjectNode data(ObjectNode configMap) {
        return configMap.withObjectProperty("data");
    }
}
