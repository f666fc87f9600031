package dev.keyward.deploy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.Annotated;
import com.fasterxml.jackson.databind.introspect.JacksonAnnotationIntrospector;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.openshift.api.model.monitoring.v1.PrometheusRule;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Checks each object against the schema of its kind. Core kinds and the Prometheus Operator's are
 * deserialized into the fabric8 models with unknown fields refused (the model would otherwise file
 * them away as "additional properties"), so a misspelt or misplaced field or a wrong type fails. The
 * other operators' custom resources have no Java model here: their apiVersion, kind and required
 * fields are checked.
 */
final class KubernetesSchemas {

    private static final Map<String, Class<?>> CORE = Map.ofEntries(
            Map.entry("v1/ConfigMap", ConfigMap.class),
            Map.entry("v1/Secret", Secret.class),
            Map.entry("v1/Service", Service.class),
            Map.entry("v1/ServiceAccount", ServiceAccount.class),
            Map.entry("v1/PersistentVolumeClaim", PersistentVolumeClaim.class),
            Map.entry("v1/Namespace", Namespace.class),
            Map.entry("apps/v1/Deployment", Deployment.class),
            Map.entry("autoscaling/v2/HorizontalPodAutoscaler", HorizontalPodAutoscaler.class),
            Map.entry("policy/v1/PodDisruptionBudget", PodDisruptionBudget.class),
            Map.entry("networking.k8s.io/v1/NetworkPolicy", NetworkPolicy.class),
            Map.entry("monitoring.coreos.com/v1/ServiceMonitor", ServiceMonitor.class),
            Map.entry("monitoring.coreos.com/v1/PrometheusRule", PrometheusRule.class));

    private static final Map<String, Function<Manifest, List<String>>> CUSTOM = Map.of(
            "kafka.strimzi.io/v1beta2/Kafka", KubernetesSchemas::kafka,
            "kafka.strimzi.io/v1beta2/KafkaNodePool", KubernetesSchemas::kafkaNodePool,
            "kafka.strimzi.io/v1beta2/KafkaTopic", KubernetesSchemas::kafkaTopic,
            "postgresql.cnpg.io/v1/Cluster", KubernetesSchemas::postgresCluster,
            "postgresql.cnpg.io/v1/Database", KubernetesSchemas::postgresDatabase,
            "k8s.keycloak.org/v2alpha1/Keycloak", KubernetesSchemas::keycloak);

    /** RFC 1123 subdomain: what the API server accepts as most object names. */
    private static final Pattern OBJECT_NAME = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

    private static final ObjectMapper STRICT = JsonMapper.builder()
            .annotationIntrospector(new JacksonAnnotationIntrospector() {
                @Override
                public Boolean hasAnySetter(Annotated annotated) {
                    return Boolean.FALSE;
                }
            })
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();

    private KubernetesSchemas() {
    }

    /** Why the object would not be accepted; empty when it is valid. */
    static List<String> violations(Manifest manifest) {
        List<String> violations = new ArrayList<>();
        if (manifest.name().isEmpty()) {
            violations.add(manifest.kind() + " without metadata.name");
        } else if (manifest.name().length() > 253 || !OBJECT_NAME.matcher(manifest.name()).matches()) {
            violations.add(manifest.ref() + ": metadata.name is not a valid object name");
        }
        String type = manifest.apiVersion() + "/" + manifest.kind();
        Class<?> model = CORE.get(type);
        Function<Manifest, List<String>> custom = CUSTOM.get(type);
        if (model != null) {
            try {
                STRICT.treeToValue(manifest.body(), model);
            } catch (JsonMappingException e) {
                violations.add(manifest.ref() + " does not match the " + type + " schema at "
                        + pathOf(e) + ": " + e.getOriginalMessage());
            } catch (Exception e) {
                violations.add(manifest.ref() + " does not match the " + type + " schema: " + e.getMessage());
            }
        } else if (custom != null) {
            violations.addAll(custom.apply(manifest));
        } else {
            violations.add(manifest.ref() + ": no schema known for " + type);
        }
        return violations;
    }

    private static String pathOf(JsonMappingException e) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            path.append(ref.getFieldName() != null ? "." + ref.getFieldName() : "[" + ref.getIndex() + "]");
        }
        return path.isEmpty() ? "(root)" : path.substring(path.charAt(0) == '.' ? 1 : 0);
    }

    private static List<String> kafka(Manifest m) {
        List<String> v = new ArrayList<>();
        JsonNode listeners = m.at("/spec/kafka/listeners");
        if (!listeners.isArray() || listeners.isEmpty()) {
            v.add(m.ref() + ": spec.kafka.listeners is required");
        }
        for (JsonNode listener : listeners) {
            for (String field : List.of("name", "port", "type", "tls")) {
                if (listener.path(field).isMissingNode()) {
                    v.add(m.ref() + ": every listener needs " + field);
                }
            }
        }
        if (!"enabled".equals(m.at("/metadata/annotations/strimzi.io~1node-pools").asText())) {
            v.add(m.ref() + ": brokers come from KafkaNodePools, annotation strimzi.io/node-pools: enabled is required");
        }
        if (m.at("/spec/zookeeper").isObject()) {
            v.add(m.ref() + ": KRaft only, spec.zookeeper is not allowed");
        }
        return v;
    }

    private static List<String> kafkaNodePool(Manifest m) {
        List<String> v = new ArrayList<>(requireClusterLabel(m));
        if (!m.at("/spec/replicas").canConvertToInt() || m.at("/spec/replicas").asInt() < 1) {
            v.add(m.ref() + ": spec.replicas must be a positive integer");
        }
        JsonNode roles = m.at("/spec/roles");
        if (!roles.isArray() || roles.isEmpty()) {
            v.add(m.ref() + ": spec.roles is required");
        }
        for (JsonNode role : roles) {
            if (!List.of("controller", "broker").contains(role.asText())) {
                v.add(m.ref() + ": unknown role " + role);
            }
        }
        if (!m.at("/spec/storage/type").isTextual()) {
            v.add(m.ref() + ": spec.storage.type is required");
        }
        return v;
    }

    private static List<String> kafkaTopic(Manifest m) {
        List<String> v = new ArrayList<>(requireClusterLabel(m));
        for (String field : List.of("partitions", "replicas")) {
            JsonNode value = m.at("/spec/" + field);
            if (!value.canConvertToInt() || value.asInt() < 1) {
                v.add(m.ref() + ": spec." + field + " must be a positive integer");
            }
        }
        return v;
    }

    private static List<String> requireClusterLabel(Manifest m) {
        return m.at("/metadata/labels/strimzi.io~1cluster").isTextual() ? List.of()
                : List.of(m.ref() + ": label strimzi.io/cluster names the Kafka cluster and is required");
    }

    private static List<String> postgresCluster(Manifest m) {
        List<String> v = new ArrayList<>();
        if (!m.at("/spec/instances").canConvertToInt() || m.at("/spec/instances").asInt() < 1) {
            v.add(m.ref() + ": spec.instances must be a positive integer");
        }
        if (!m.at("/spec/storage/size").isTextual()) {
            v.add(m.ref() + ": spec.storage.size is required");
        }
        for (JsonNode role : m.at("/spec/managed/roles")) {
            if (!role.path("name").isTextual()) {
                v.add(m.ref() + ": every managed role needs a name");
            }
        }
        return v;
    }

    private static List<String> postgresDatabase(Manifest m) {
        List<String> v = new ArrayList<>();
        for (String pointer : List.of("/spec/cluster/name", "/spec/name", "/spec/owner")) {
            if (!m.at(pointer).isTextual()) {
                v.add(m.ref() + ": " + pointer.substring(1).replace('/', '.') + " is required");
            }
        }
        return v;
    }

    private static List<String> keycloak(Manifest m) {
        List<String> v = new ArrayList<>();
        for (String pointer : List.of("/spec/db/vendor", "/spec/db/host", "/spec/db/usernameSecret/name",
                "/spec/db/passwordSecret/name")) {
            if (!m.at(pointer).isTextual()) {
                v.add(m.ref() + ": " + pointer.substring(1).replace('/', '.') + " is required");
            }
        }
        if (!m.at("/spec/hostname/hostname").isTextual() && m.at("/spec/hostname/strict").asBoolean(true)) {
            v.add(m.ref() + ": spec.hostname.hostname is required unless spec.hostname.strict is false");
        }
        if (!m.at("/spec/http/tlsSecret").isTextual() && !m.at("/spec/http/httpEnabled").asBoolean(false)) {
            v.add(m.ref() + ": spec.http needs a tlsSecret or httpEnabled: true");
        }
        return v;
    }
}
