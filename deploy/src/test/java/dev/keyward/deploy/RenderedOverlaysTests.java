package dev.keyward.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Renders every kustomization and holds the result to the Kubernetes schemas and Keyward's rules. */
class RenderedOverlaysTests {

    static final List<String> OVERLAYS = Overlays.ALL;

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void every_object_matches_the_schema_of_its_kind(String overlay) {
        List<Manifest> manifests = Overlays.render(overlay);

        assertThat(manifests).hasSizeGreaterThan(20);
        assertThat(manifests.stream().flatMap(m -> KubernetesSchemas.violations(m).stream())).isEmpty();
    }

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void every_deployment_rule_holds(String overlay) {
        List<Manifest> manifests = Overlays.render(overlay);

        for (var rule : DeploymentRules.ALL.entrySet()) {
            assertThat(rule.getValue().apply(manifests)).as(rule.getKey()).isEmpty();
        }
    }

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void each_service_has_its_deployment_service_account_and_network_policy(String overlay) {
        List<Manifest> manifests = Overlays.render(overlay);

        for (String service : Overlays.SERVICES) {
            for (String kind : List.of("Deployment", "Service", "ServiceAccount", "NetworkPolicy")) {
                assertThat(DeploymentRules.named(manifests, kind, service)).as(kind + "/" + service).isNotNull();
            }
            assertThat(DeploymentRules.named(manifests, "ServiceAccount", service).at("/automountServiceAccountToken")
                    .asBoolean(true)).as(service).isFalse();
        }
        for (String scaled : List.of("token-service", "audit-service")) {
            assertThat(DeploymentRules.named(manifests, "HorizontalPodAutoscaler", scaled)).as(scaled).isNotNull();
            assertThat(DeploymentRules.named(manifests, "PodDisruptionBudget", scaled)).as(scaled).isNotNull();
        }
    }

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void each_service_gets_every_setting_the_internal_contracts_name(String overlay) {
        List<Manifest> manifests = Overlays.render(overlay);

        for (String service : Overlays.SERVICES) {
            Map<String, String> env = environment(manifests, service);
            Set<String> expected = new TreeSet<>(Set.of("KEYWARD_DB_REACTIVE_URL", "KEYWARD_DB_JDBC_URL", "KEYWARD_DB_USER",
                    "KEYWARD_DB_PASSWORD", "KEYWARD_KAFKA", "KEYWARD_INTERNAL_SECRET", "KEYWARD_JSON_LOGS"));
            switch (service) {
                case "token-service" -> expected.addAll(Set.of("KEYWARD_PEPPER", "KEYWARD_SIGNING_KEYS_SECRET"));
                case "repo-service" -> expected.addAll(Set.of("KEYWARD_TOKEN_SERVICE_URL", "KEYWARD_REPOS_DIR"));
                default -> expected.add("KEYWARD_TOKEN_SERVICE_URL");
            }
            assertThat(env.keySet()).as(service).containsAll(expected);
            String database = Overlays.DATABASES.get(service);
            assertThat(env.get("KEYWARD_DB_REACTIVE_URL")).as(service).isEqualTo("postgresql://keyward-db-rw:5432/" + database);
            assertThat(env.get("KEYWARD_DB_JDBC_URL")).as(service).isEqualTo("jdbc:postgresql://keyward-db-rw:5432/" + database);
            assertThat(env.get("KEYWARD_KAFKA")).as(service).isEqualTo("keyward-kafka-kafka-bootstrap:9092");
            if (env.containsKey("KEYWARD_TOKEN_SERVICE_URL")) {
                assertThat(env.get("KEYWARD_TOKEN_SERVICE_URL")).isEqualTo("http://token-service:8081");
            }
        }
        Manifest repo = DeploymentRules.named(manifests, "Deployment", "repo-service");
        String reposDir = environment(manifests, "repo-service").get("KEYWARD_REPOS_DIR");
        List<String> mounts = new ArrayList<>();
        repo.at("/spec/template/spec/containers/0/volumeMounts").forEach(mount -> {
            if (mount.path("name").asText().equals("repositories")) {
                mounts.add(mount.path("mountPath").asText());
            }
        });
        assertThat(mounts).containsExactly(reposDir);
    }

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void kafka_runs_kraft_with_the_keyward_events_and_usage_topics(String overlay) {
        List<Manifest> manifests = Overlays.render(overlay);

        Manifest kafka = DeploymentRules.named(manifests, "Kafka", "keyward-kafka");
        assertThat(kafka).isNotNull();
        assertThat(kafka.at("/spec/zookeeper").isMissingNode()).isTrue();
        Manifest pool = DeploymentRules.kind(manifests, "KafkaNodePool").get(0);
        assertThat(DeploymentRules.texts(pool.at("/spec/roles"))).containsExactlyInAnyOrder("controller", "broker");
        for (String name : List.of("keyward.events", "keyward.usage")) {
            Manifest topic = DeploymentRules.named(manifests, "KafkaTopic", name);
            assertThat(topic.at("/spec/topicName").asText()).isEqualTo(name);
            assertThat(topic.at("/metadata/labels/strimzi.io~1cluster").asText()).isEqualTo("keyward-kafka");
            assertThat(topic.at("/spec/replicas").asInt()).isLessThanOrEqualTo(pool.at("/spec/replicas").asInt());
        }
    }

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void postgres_has_one_database_and_role_per_service(String overlay) {
        List<Manifest> manifests = Overlays.render(overlay);

        Manifest cluster = DeploymentRules.named(manifests, "Cluster", "keyward-db");
        Map<String, String> roleSecrets = new HashMap<>();
        cluster.at("/spec/managed/roles").forEach(r -> roleSecrets.put(r.path("name").asText(), r.at("/passwordSecret/name").asText()));
        Map<String, String> owners = new HashMap<>();
        DeploymentRules.kind(manifests, "Database").forEach(d -> {
            assertThat(d.at("/spec/cluster/name").asText()).isEqualTo("keyward-db");
            owners.put(d.at("/spec/name").asText(), d.at("/spec/owner").asText());
        });
        for (var entry : Overlays.DATABASES.entrySet()) {
            String database = entry.getValue();
            assertThat(owners).containsEntry(database, database);
            String secret = roleSecrets.get(database);
            assertThat(secret).as("password Secret of role " + database).isNotBlank();
            List<String> userSecrets = new ArrayList<>();
            DeploymentRules.named(manifests, "Deployment", entry.getKey()).at("/spec/template/spec/containers/0/env")
                    .forEach(e -> {
                        if (e.path("name").asText().equals("KEYWARD_DB_USER")) {
                            userSecrets.add(e.at("/valueFrom/secretKeyRef/name").asText());
                        }
                    });
            assertThat(userSecrets).as(entry.getKey()).containsExactly(secret);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {Overlays.DEV, Overlays.PROD, Overlays.PROD_RWX, Overlays.PROD_TRACING})
    void overlays_put_every_namespaced_object_in_their_namespace(String overlay) {
        List<Manifest> manifests = Overlays.render(overlay);
        String namespace = DeploymentRules.kind(manifests, "Namespace").get(0).name();

        assertThat(manifests.stream().filter(m -> !m.is("Namespace"))
                .filter(m -> !namespace.equals(m.at("/metadata/namespace").asText())).map(Manifest::ref)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {Overlays.PROD, Overlays.PROD_RWX, Overlays.PROD_TRACING})
    void prod_commits_no_secret_and_pins_released_images(String overlay) {
        List<Manifest> manifests = Overlays.render(overlay);

        assertThat(DeploymentRules.kind(manifests, "Secret")).isEmpty();
        DeploymentRules.kind(manifests, "Deployment").forEach(d -> assertThat(
                d.at("/spec/template/spec/containers/0/image").asText()).doesNotContain("SNAPSHOT").contains("/keyward/"));
    }

    @ParameterizedTest
    @ValueSource(strings = {Overlays.PROD, Overlays.PROD_RWX})
    void operations_guide_names_every_secret_prod_expects(String overlay) throws IOException {
        String guide = Files.readString(Overlays.MODULE.resolve("../docs/operations.md"));

        Set<String> secrets = secretsReferenced(Overlays.render(overlay));
        assertThat(secrets).contains("keyward-internal", "keyward-token-pepper", "keyward-token-signing-keys", "keyward-token-db");
        assertThat(secrets.stream().filter(s -> !guide.contains("`" + s + "`"))).isEmpty();
    }

    @Test
    void repo_service_scales_out_only_with_the_read_write_many_component() {
        Manifest single = DeploymentRules.named(Overlays.render(Overlays.PROD), "Deployment", "repo-service");
        Manifest scaled = DeploymentRules.named(Overlays.render(Overlays.PROD_RWX), "Deployment", "repo-service");

        assertThat(single.at("/spec/replicas").asInt()).isEqualTo(1);
        assertThat(single.at("/spec/strategy/type").asText()).isEqualTo("Recreate");
        assertThat(DeploymentRules.named(Overlays.render(Overlays.PROD), "HorizontalPodAutoscaler", "repo-service")).isNull();
        assertThat(scaled.at("/spec/replicas").asInt()).isGreaterThan(1);
        assertThat(DeploymentRules.named(Overlays.render(Overlays.PROD_RWX), "PersistentVolumeClaim", "repo-service-repositories")
                .at("/spec/accessModes/0").asText()).isEqualTo("ReadWriteMany");
    }

    /** Tracing is off unless the component names a collector, and then every service may reach it. */
    @Test
    void services_trace_only_with_the_tracing_component() {
        List<Manifest> plain = Overlays.render(Overlays.PROD);
        List<Manifest> traced = Overlays.render(Overlays.PROD_TRACING);
        for (String service : Overlays.SERVICES) {
            assertThat(environment(plain, service)).doesNotContainKey("KEYWARD_OTLP_ENDPOINT");
            assertThat(environment(traced, service)).containsEntry("KEYWARD_OTLP_ENDPOINT",
                    "http://otel-collector.observability.svc:4317");
        }
        Manifest egress = DeploymentRules.named(traced, "NetworkPolicy", "keyward-tracing-egress");
        assertThat(egress.at("/spec/podSelector/matchLabels/app.kubernetes.io~1part-of").asText()).isEqualTo("keyward");
        assertThat(egress.at("/spec/egress/0/ports/0/port").asInt()).isEqualTo(4317);
        assertThat(DeploymentRules.named(plain, "NetworkPolicy", "keyward-tracing-egress")).isNull();
    }

    /** The Secrets a manifest set refers to by name: pods, PostgreSQL roles, Keycloak's database. */
    static Set<String> secretsReferenced(List<Manifest> manifests) {
        Set<String> names = new TreeSet<>();
        for (Manifest m : manifests) {
            m.body().findValues("secretKeyRef").forEach(ref -> names.add(ref.path("name").asText()));
            m.body().findValues("passwordSecret").forEach(ref -> names.add(ref.path("name").asText()));
            m.body().findValues("usernameSecret").forEach(ref -> names.add(ref.path("name").asText()));
        }
        return names;
    }

    /** The environment a service's container gets: its ConfigMaps' data plus its env entries (value or reference). */
    static Map<String, String> environment(List<Manifest> manifests, String service) {
        JsonNode container = DeploymentRules.named(manifests, "Deployment", service).at("/spec/template/spec/containers/0");
        Map<String, String> env = new HashMap<>();
        for (JsonNode source : container.path("envFrom")) {
            Manifest configMap = DeploymentRules.named(manifests, "ConfigMap", source.at("/configMapRef/name").asText());
            configMap.at("/data").properties().forEach(e -> env.put(e.getKey(), e.getValue().asText()));
        }
        for (JsonNode entry : container.path("env")) {
            env.put(entry.path("name").asText(), entry.has("value") ? entry.path("value").asText() : "(reference)");
        }
        return env;
    }
}
