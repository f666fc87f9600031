package dev.keyward.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.StreamSupport;

/**
 * Keyward's own rules for a rendered manifest set, beyond what the Kubernetes schemas say. Each rule
 * returns its violations as messages naming the object; an empty list means the set complies.
 */
final class DeploymentRules {

    /** A key that names secret material: its value belongs in a Secret, never in a ConfigMap. */
    private static final Pattern SECRET_KEY = Pattern.compile(
            "(?i).*(password|passwd|secret|pepper|credential|private[-_.]?key|api[-_.]?key).*|.*token");
    /** Values that look like secret material whatever the key: Keyward keys, PEM blocks. */
    private static final Pattern SECRET_VALUE = Pattern.compile("(?s).*(kw_(prod|dev)_[or]_|-----BEGIN ).*");

    /** Every rule by name, for a test that runs them all. */
    static final Map<String, Function<List<Manifest>, List<String>>> ALL = Map.of(
            "probes", DeploymentRules::probes,
            "resources", DeploymentRules::resources,
            "image tags", DeploymentRules::imageTags,
            "container security", DeploymentRules::containerSecurity,
            "no secrets in config maps", DeploymentRules::noSecretsInConfigMaps,
            "network policies", DeploymentRules::networkPolicies,
            "disruption budgets and autoscalers", DeploymentRules::disruptionBudgetsAndAutoscalers,
            "single writer of a ReadWriteOnce volume", DeploymentRules::singleWriterOfReadWriteOnceVolumes,
            "wiring", DeploymentRules::wiring);

    private DeploymentRules() {
    }

    static List<String> all(List<Manifest> manifests) {
        List<String> violations = new ArrayList<>();
        ALL.values().forEach(rule -> violations.addAll(rule.apply(manifests)));
        return violations;
    }

    /** Every container has liveness and readiness probes on HTTP health endpoints. */
    static List<String> probes(List<Manifest> manifests) {
        List<String> v = new ArrayList<>();
        forEachContainer(manifests, (owner, container) -> {
            for (String probe : List.of("livenessProbe", "readinessProbe")) {
                if (!container.path(probe).isObject()) {
                    v.add(where(owner, container) + " has no " + probe);
                } else if (!container.path(probe).path("httpGet").path("path").asText("").startsWith("/q/health")) {
                    v.add(where(owner, container) + ": " + probe + " does not call a /q/health endpoint");
                }
            }
        });
        return v;
    }

    /** Every container requests and limits CPU and memory. */
    static List<String> resources(List<Manifest> manifests) {
        List<String> v = new ArrayList<>();
        forEachContainer(manifests, (owner, container) -> {
            for (String bound : List.of("requests", "limits")) {
                for (String resource : List.of("cpu", "memory")) {
                    if (container.path("resources").path(bound).path(resource).asText("").isEmpty()) {
                        v.add(where(owner, container) + " has no resources." + bound + "." + resource);
                    }
                }
            }
        });
        return v;
    }

    /** Every image names a tag or digest, and never the moving tag {@code latest}. */
    static List<String> imageTags(List<Manifest> manifests) {
        List<String> v = new ArrayList<>();
        forEachContainer(manifests, (owner, container) -> {
            String image = container.path("image").asText("");
            if (image.contains("@sha256:")) {
                return;
            }
            int lastSlash = image.lastIndexOf('/');
            int colon = image.indexOf(':', lastSlash + 1);
            if (image.isEmpty() || colon < 0) {
                v.add(where(owner, container) + ": image '" + image + "' has no tag");
            } else if (image.substring(colon + 1).equalsIgnoreCase("latest")) {
                v.add(where(owner, container) + ": image '" + image + "' uses the moving tag latest");
            }
        });
        return v;
    }

    /** Non-root, no privilege escalation, no capabilities, read-only root file system. */
    static List<String> containerSecurity(List<Manifest> manifests) {
        List<String> v = new ArrayList<>();
        forEachContainer(manifests, (owner, container) -> {
            JsonNode pod = podSpec(owner);
            JsonNode sc = container.path("securityContext");
            boolean nonRoot = sc.path("runAsNonRoot").asBoolean(pod.path("securityContext").path("runAsNonRoot").asBoolean(false));
            if (!nonRoot) {
                v.add(where(owner, container) + " may run as root (runAsNonRoot is not true)");
            }
            if (sc.path("allowPrivilegeEscalation").asBoolean(true)) {
                v.add(where(owner, container) + " allows privilege escalation");
            }
            if (!sc.path("readOnlyRootFilesystem").asBoolean(false)) {
                v.add(where(owner, container) + " has a writable root file system");
            }
            if (!texts(sc.path("capabilities").path("drop")).contains("ALL")) {
                v.add(where(owner, container) + " does not drop ALL capabilities");
            }
            if (pod.path("automountServiceAccountToken").asBoolean(true)) {
                v.add(owner.ref() + " mounts a service account token it does not need");
            }
        });
        return v;
    }

    /** ConfigMaps carry settings only: no key that names a secret, no value that looks like one. */
    static List<String> noSecretsInConfigMaps(List<Manifest> manifests) {
        List<String> v = new ArrayList<>();
        for (Manifest m : kind(manifests, "ConfigMap")) {
            m.at("/data").properties().forEach(entry -> {
                if (SECRET_KEY.matcher(entry.getKey()).matches()) {
                    v.add(m.ref() + ": key " + entry.getKey() + " names a secret; put it in a Secret");
                }
                if (SECRET_VALUE.matcher(entry.getValue().asText("")).matches()) {
                    v.add(m.ref() + ": the value of " + entry.getKey() + " looks like secret material");
                }
            });
        }
        return v;
    }

    /**
     * Every Deployment's pods are under a policy that denies by default (both directions) and a
     * policy of their own that admits ingress and egress explicitly.
     */
    static List<String> networkPolicies(List<Manifest> manifests) {
        List<String> v = new ArrayList<>();
        List<Manifest> policies = kind(manifests, "NetworkPolicy");
        for (Manifest deployment : kind(manifests, "Deployment")) {
            JsonNode podLabels = deployment.at("/spec/template/metadata/labels");
            List<Manifest> applying = policies.stream().filter(p -> selects(p.at("/spec/podSelector"), podLabels)).toList();
            boolean denyAll = applying.stream().anyMatch(p -> types(p).containsAll(Set.of("Ingress", "Egress"))
                    && !p.at("/spec/ingress").isArray() && !p.at("/spec/egress").isArray());
            if (!denyAll) {
                v.add(deployment.ref() + ": no default-deny NetworkPolicy (Ingress and Egress, no rules) selects its pods");
            }
            boolean own = applying.stream().anyMatch(p -> p.at("/spec/podSelector/matchLabels").size() > 0
                    && types(p).contains("Ingress") && p.at("/spec/ingress").isArray()
                    && types(p).contains("Egress") && p.at("/spec/egress").isArray());
            if (!own) {
                v.add(deployment.ref() + ": no NetworkPolicy of its own allows its ingress and egress");
            }
        }
        return v;
    }

    /** A Deployment that runs more than one replica, or is autoscaled, has a PDB and an HPA. */
    static List<String> disruptionBudgetsAndAutoscalers(List<Manifest> manifests) {
        List<String> v = new ArrayList<>();
        for (Manifest deployment : kind(manifests, "Deployment")) {
            boolean autoscaled = autoscalerOf(manifests, deployment) != null;
            if (deployment.at("/spec/replicas").asInt(1) <= 1 && !autoscaled) {
                continue;
            }
            if (!autoscaled) {
                v.add(deployment.ref() + " runs several replicas but no HorizontalPodAutoscaler targets it");
            }
            JsonNode podLabels = deployment.at("/spec/template/metadata/labels");
            boolean budgeted = kind(manifests, "PodDisruptionBudget").stream()
                    .anyMatch(p -> selects(p.at("/spec/selector"), podLabels));
            if (!budgeted) {
                v.add(deployment.ref() + " runs several replicas but no PodDisruptionBudget selects its pods");
            }
        }
        return v;
    }

    /**
     * A Deployment that mounts a ReadWriteOnce claim runs one pod, replaces it with Recreate (a surge
     * pod could not attach the volume), and is not autoscaled.
     */
    static List<String> singleWriterOfReadWriteOnceVolumes(List<Manifest> manifests) {
        List<String> v = new ArrayList<>();
        for (Manifest deployment : kind(manifests, "Deployment")) {
            for (JsonNode volume : deployment.at("/spec/template/spec/volumes")) {
                String claim = volume.path("persistentVolumeClaim").path("claimName").asText("");
                Manifest pvc = named(manifests, "PersistentVolumeClaim", claim);
                if (pvc == null || !texts(pvc.at("/spec/accessModes")).contains("ReadWriteOnce")) {
                    continue;
                }
                if (deployment.at("/spec/replicas").asInt(1) > 1) {
                    v.add(deployment.ref() + " runs several replicas on the ReadWriteOnce claim " + claim);
                }
                if (!"Recreate".equals(deployment.at("/spec/strategy/type").asText())) {
                    v.add(deployment.ref() + " must use the Recreate strategy with the ReadWriteOnce claim " + claim);
                }
                if (autoscalerOf(manifests, deployment) != null) {
                    v.add(deployment.ref() + " is autoscaled but writes the ReadWriteOnce claim " + claim);
                }
            }
        }
        return v;
    }

    /**
     * Objects that refer to each other match: a Deployment's selector its pod labels, a Service's
     * selector some pods, a ServiceMonitor's selector a Service and its port a port of that Service,
     * an HPA its target, a probe a declared port, a ConfigMap reference a rendered ConfigMap, a volume
     * a rendered claim, and (where Secrets are rendered at all) a required Secret reference a
     * rendered Secret.
     */
    static List<String> wiring(List<Manifest> manifests) {
        List<String> v = new ArrayList<>();
        List<Manifest> deployments = kind(manifests, "Deployment");
        boolean secretsRendered = !kind(manifests, "Secret").isEmpty();
        for (Manifest deployment : deployments) {
            if (!selects(deployment.at("/spec/selector"), deployment.at("/spec/template/metadata/labels"))) {
                v.add(deployment.ref() + ": spec.selector does not match the pod template's labels");
            }
            for (JsonNode volume : deployment.at("/spec/template/spec/volumes")) {
                String claim = volume.path("persistentVolumeClaim").path("claimName").asText("");
                if (!claim.isEmpty() && named(manifests, "PersistentVolumeClaim", claim) == null) {
                    v.add(deployment.ref() + " mounts the claim " + claim + ", which is not rendered");
                }
            }
        }
        forEachContainer(manifests, (owner, container) -> {
            Set<String> portNames = Set.copyOf(StreamSupport.stream(container.path("ports").spliterator(), false)
                    .map(p -> p.path("name").asText("")).toList());
            for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
                JsonNode port = container.path(probe).path("httpGet").path("port");
                if (port.isTextual() && !portNames.contains(port.asText())) {
                    v.add(where(owner, container) + ": " + probe + " uses the undeclared port " + port.asText());
                }
            }
            for (JsonNode source : container.path("envFrom")) {
                String configMap = source.path("configMapRef").path("name").asText("");
                if (!configMap.isEmpty() && named(manifests, "ConfigMap", configMap) == null) {
                    v.add(where(owner, container) + " reads the ConfigMap " + configMap + ", which is not rendered");
                }
            }
            for (JsonNode env : container.path("env")) {
                JsonNode ref = env.path("valueFrom").path("secretKeyRef");
                if (secretsRendered && ref.isObject() && !ref.path("optional").asBoolean(false)) {
                    Manifest secret = named(manifests, "Secret", ref.path("name").asText());
                    String key = ref.path("key").asText();
                    if (secret == null || !(secret.at("/data").has(key) || secret.at("/stringData").has(key))) {
                        v.add(where(owner, container) + " needs key " + key + " of Secret " + ref.path("name").asText()
                                + ", which is not rendered");
                    }
                }
            }
        });
        for (Manifest service : kind(manifests, "Service")) {
            JsonNode selector = service.at("/spec/selector");
            boolean selectsPods = deployments.stream()
                    .anyMatch(d -> matches(selector, d.at("/spec/template/metadata/labels")));
            if (selector.size() > 0 && !selectsPods) {
                v.add(service.ref() + " selects no pods of any Deployment");
            }
        }
        for (Manifest monitor : kind(manifests, "ServiceMonitor")) {
            List<Manifest> services = kind(manifests, "Service").stream()
                    .filter(s -> selects(monitor.at("/spec/selector"), s.at("/metadata/labels"))).toList();
            if (services.isEmpty()) {
                v.add(monitor.ref() + " selects no Service");
            }
            for (JsonNode endpoint : monitor.at("/spec/endpoints")) {
                String port = endpoint.path("port").asText();
                services.stream().filter(s -> StreamSupport.stream(s.at("/spec/ports").spliterator(), false)
                                .noneMatch(p -> p.path("name").asText().equals(port)))
                        .forEach(s -> v.add(monitor.ref() + " scrapes the port " + port + ", which " + s.ref() + " does not name"));
            }
        }
        for (Manifest hpa : kind(manifests, "HorizontalPodAutoscaler")) {
            String target = hpa.at("/spec/scaleTargetRef/kind").asText() + "/" + hpa.at("/spec/scaleTargetRef/name").asText();
            if (manifests.stream().noneMatch(m -> m.ref().equals(target))) {
                v.add(hpa.ref() + " targets " + target + ", which is not rendered");
            }
        }
        return v;
    }

    static Manifest autoscalerOf(List<Manifest> manifests, Manifest deployment) {
        return kind(manifests, "HorizontalPodAutoscaler").stream()
                .filter(h -> h.at("/spec/scaleTargetRef/kind").asText().equals("Deployment")
                        && h.at("/spec/scaleTargetRef/name").asText().equals(deployment.name()))
                .findFirst().orElse(null);
    }

    static List<Manifest> kind(List<Manifest> manifests, String kind) {
        return manifests.stream().filter(m -> m.is(kind)).toList();
    }

    static Manifest named(List<Manifest> manifests, String kind, String name) {
        return manifests.stream().filter(m -> m.is(kind) && m.name().equals(name)).findFirst().orElse(null);
    }

    /** A label selector (matchLabels and matchExpressions with In) selects pods with these labels. */
    static boolean selects(JsonNode selector, JsonNode labels) {
        if (!selector.isObject()) {
            return false;
        }
        if (!matches(selector.path("matchLabels"), labels)) {
            return false;
        }
        for (JsonNode expression : selector.path("matchExpressions")) {
            String value = labels.path(expression.path("key").asText()).asText(null);
            List<String> values = texts(expression.path("values"));
            boolean ok = switch (expression.path("operator").asText()) {
                case "In" -> value != null && values.contains(value);
                case "NotIn" -> value == null || !values.contains(value);
                case "Exists" -> value != null;
                case "DoesNotExist" -> value == null;
                default -> false;
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static boolean matches(JsonNode matchLabels, JsonNode labels) {
        for (Map.Entry<String, JsonNode> label : matchLabels.properties()) {
            if (!label.getValue().asText().equals(labels.path(label.getKey()).asText(null))) {
                return false;
            }
        }
        return true;
    }

    private static Set<String> types(Manifest policy) {
        return Set.copyOf(texts(policy.at("/spec/policyTypes")));
    }

    static List<String> texts(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).toList();
    }

    private static JsonNode podSpec(Manifest owner) {
        return owner.at("/spec/template/spec");
    }

    private static String where(Manifest owner, JsonNode container) {
        return owner.ref() + " container " + container.path("name").asText("?");
    }

    private interface ContainerVisitor {
        void visit(Manifest owner, JsonNode container);
    }

    /** Containers and init containers of every pod template (Deployments are the only workloads here). */
    private static void forEachContainer(List<Manifest> manifests, ContainerVisitor visitor) {
        for (Manifest m : manifests) {
            if (!Set.of("Deployment", "StatefulSet", "DaemonSet", "Job").contains(m.kind())) {
                continue;
            }
            for (String list : List.of("containers", "initContainers")) {
                for (JsonNode container : podSpec(m).path(list)) {
                    visitor.visit(m, container);
                }
            }
        }
    }
}
