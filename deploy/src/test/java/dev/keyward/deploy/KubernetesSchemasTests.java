package dev.keyward.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The schema check refuses what the API server or the operators would refuse. */
class KubernetesSchemasTests {

    private static final String DEPLOYMENT = """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: demo
            spec:
              replicas: 2
              selector:
                matchLabels: {app: demo}
              template:
                metadata:
                  labels: {app: demo}
                spec:
                  containers:
                    - name: demo
                      image: demo:1.0
                      ports:
                        - containerPort: 8080
                      resources:
                        limits: {cpu: "1", memory: 512Mi}
            """;

    @Test
    void a_valid_deployment_passes() {
        assertThat(violations(DEPLOYMENT)).isEmpty();
    }

    @Test
    void a_misspelt_field_is_refused_with_its_path() {
        List<String> violations = violations(DEPLOYMENT.replace("          ports:", "          livenesProbe: {}\n          ports:"));

        assertThat(violations).singleElement().asString()
                .contains("Deployment/demo", "livenesProbe", "spec.template.spec.containers[0]");
    }

    @Test
    void a_field_in_the_wrong_place_is_refused() {
        assertThat(violations(DEPLOYMENT.replace("  replicas: 2", "  replicas: 2\n  containers: []")))
                .singleElement().asString().contains("containers");
    }

    @Test
    void a_value_of_the_wrong_type_is_refused() {
        assertThat(violations(DEPLOYMENT.replace("replicas: 2", "replicas: two"))).singleElement().asString()
                .contains("spec.replicas");
        assertThat(violations(DEPLOYMENT.replace("containerPort: 8080", "containerPort: [8080]"))).isNotEmpty();
    }

    @Test
    void an_invalid_object_name_is_refused() {
        assertThat(violations(DEPLOYMENT.replace("name: demo\nspec", "name: Demo_Service\nspec")))
                .singleElement().asString().contains("metadata.name");
    }

    @Test
    void an_unknown_kind_or_api_version_is_refused() {
        assertThat(violations(DEPLOYMENT.replace("apps/v1", "apps/v1beta1"))).singleElement().asString()
                .contains("no schema known for apps/v1beta1/Deployment");
        assertThat(violations("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n")).isNotEmpty();
    }

    @Test
    void a_kafka_topic_without_its_cluster_label_or_sizes_is_refused() {
        String topic = """
                apiVersion: kafka.strimzi.io/v1beta2
                kind: KafkaTopic
                metadata:
                  name: keyward.events
                  labels: {strimzi.io/cluster: keyward-kafka}
                spec: {partitions: 3, replicas: 1}
                """;
        assertThat(violations(topic)).isEmpty();
        assertThat(violations(topic.replace("  labels: {strimzi.io/cluster: keyward-kafka}\n", "")))
                .singleElement().asString().contains("strimzi.io/cluster");
        assertThat(violations(topic.replace("partitions: 3, ", ""))).singleElement().asString().contains("spec.partitions");
    }

    @Test
    void a_kafka_cluster_needs_listeners_node_pools_and_no_zookeeper() {
        String kafka = """
                apiVersion: kafka.strimzi.io/v1beta2
                kind: Kafka
                metadata:
                  name: k
                  annotations: {strimzi.io/node-pools: enabled}
                spec:
                  kafka:
                    listeners:
                      - {name: plain, port: 9092, type: internal, tls: false}
                """;
        assertThat(violations(kafka)).isEmpty();
        assertThat(violations(kafka.replace(", tls: false", ""))).singleElement().asString().contains("tls");
        assertThat(violations(kafka.replace("  annotations: {strimzi.io/node-pools: enabled}\n", "")))
                .singleElement().asString().contains("node-pools");
        assertThat(violations(kafka + "  zookeeper: {replicas: 3}\n")).singleElement().asString().contains("zookeeper");
        assertThat(violations(kafka.replace("kafka.strimzi.io/v1beta2", "kafka.strimzi.io/v1alpha1"))).isNotEmpty();
    }

    @Test
    void a_node_pool_needs_replicas_known_roles_and_storage() {
        String pool = """
                apiVersion: kafka.strimzi.io/v1beta2
                kind: KafkaNodePool
                metadata:
                  name: pool
                  labels: {strimzi.io/cluster: k}
                spec:
                  replicas: 1
                  roles: [controller, broker]
                  storage: {type: ephemeral}
                """;
        assertThat(violations(pool)).isEmpty();
        assertThat(violations(pool.replace("broker]", "zookeeper]"))).singleElement().asString().contains("unknown role");
        assertThat(violations(pool.replace("  storage: {type: ephemeral}\n", ""))).singleElement().asString().contains("storage");
    }

    @Test
    void postgres_cluster_and_database_need_their_required_fields() {
        String cluster = """
                apiVersion: postgresql.cnpg.io/v1
                kind: Cluster
                metadata: {name: db}
                spec:
                  instances: 1
                  storage: {size: 1Gi}
                """;
        String database = """
                apiVersion: postgresql.cnpg.io/v1
                kind: Database
                metadata: {name: d}
                spec: {cluster: {name: db}, name: d, owner: d}
                """;
        assertThat(violations(cluster)).isEmpty();
        assertThat(violations(database)).isEmpty();
        assertThat(violations(cluster.replace("instances: 1", "instances: 0"))).singleElement().asString().contains("instances");
        assertThat(violations(cluster.replace("  storage: {size: 1Gi}\n", ""))).singleElement().asString().contains("storage.size");
        assertThat(violations(database.replace(", owner: d", ""))).singleElement().asString().contains("spec.owner");
    }

    @Test
    void keycloak_needs_its_database_a_hostname_and_a_listener() {
        String keycloak = """
                apiVersion: k8s.keycloak.org/v2alpha1
                kind: Keycloak
                metadata: {name: kc}
                spec:
                  db: {vendor: postgres, host: db-rw, usernameSecret: {name: s, key: u}, passwordSecret: {name: s, key: p}}
                  hostname: {hostname: https://id.example.com}
                  http: {httpEnabled: true}
                """;
        assertThat(violations(keycloak)).isEmpty();
        assertThat(violations(keycloak.replace("host: db-rw, ", ""))).singleElement().asString().contains("spec.db.host");
        assertThat(violations(keycloak.replace("{hostname: https://id.example.com}", "{}"))).singleElement().asString()
                .contains("hostname");
        assertThat(violations(keycloak.replace("{hostname: https://id.example.com}", "{strict: false}"))).isEmpty();
        assertThat(violations(keycloak.replace("{httpEnabled: true}", "{}"))).singleElement().asString().contains("tlsSecret");
    }

    @Test
    void prometheus_operator_resources_are_held_to_their_schema() {
        String monitor = """
                apiVersion: monitoring.coreos.com/v1
                kind: ServiceMonitor
                metadata:
                  name: demo
                spec:
                  selector:
                    matchLabels: {app: demo}
                  endpoints:
                    - port: http
                      path: /q/metrics
                """;
        String rule = """
                apiVersion: monitoring.coreos.com/v1
                kind: PrometheusRule
                metadata:
                  name: demo
                spec:
                  groups:
                    - name: demo
                      rules:
                        - alert: Demo
                          expr: up == 0
                          for: 5m
                """;

        assertThat(violations(monitor)).isEmpty();
        assertThat(violations(rule)).isEmpty();
        assertThat(violations(monitor.replace("endpoints:", "endpoint:"))).singleElement().asString()
                .contains("ServiceMonitor/demo", "endpoint");
        assertThat(violations(rule.replace("      rules:", "      for: 5m\n      rules:"))).singleElement()
                .asString().contains("PrometheusRule/demo", "spec.groups[0]");
    }

    private static List<String> violations(String yaml) {
        return Manifest.parseAll(yaml).stream().flatMap(m -> KubernetesSchemas.violations(m).stream()).toList();
    }
}
