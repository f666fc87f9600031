package dev.keyward.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keyward.deploy.images.ImageBuilder;
import dev.keyward.localstack.ServiceProcess;
import dev.keyward.testsupport.SharedInfrastructure;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit-service image as {@code ./keyward images} builds it: a Docker archive that matches what
 * the Deployments expect, and that really runs: its layers are unpacked into a folder and the
 * image's own entrypoint starts the service there, in a user namespace with {@code chroot} (what a
 * container runtime does, minus the isolation), against real PostgreSQL and Kafka.
 */
class ServiceImageTests {

    static final String SERVICE = "audit-service";
    static final String NAME = "registry.example.com/keyward/audit-service:1.2.3";
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path work;
    static Path rootfs;
    static JsonNode manifest;
    static JsonNode config;

    @BeforeAll
    static void buildAndUnpack() throws Exception {
        Path root = ServiceProcess.projectRoot();
        Path tar = new ImageBuilder(root, root.resolve("deploy/target/images")).build(SERVICE, NAME, work.resolve("out"));
        Path archive = Files.createDirectories(work.resolve("archive"));
        run(List.of("tar", "-xf", tar.toString(), "-C", archive.toString()));
        manifest = JSON.readTree(archive.resolve("manifest.json").toFile()).get(0);
        config = JSON.readTree(archive.resolve(manifest.path("Config").asText()).toFile());
        rootfs = Files.createDirectories(work.resolve("rootfs"));
        for (JsonNode layer : manifest.path("Layers")) {
            run(List.of("tar", "--warning=no-unknown-keyword", "-xzf", archive.resolve(layer.asText()).toString(),
                    "-C", rootfs.toString()));
        }
    }

    @Test
    void theArchiveCarriesTheNameAndFourLayersLeastChangingFirst() {
        assertThat(manifest.path("RepoTags").get(0).asText()).isEqualTo(NAME);
        List<String> layers = new ArrayList<>();
        config.path("history").forEach(h -> layers.add(h.path("comment").asText()));
        assertThat(layers).containsExactly("os", "jre", "dependencies", "application");
        assertThat(manifest.path("Layers")).hasSize(4);
        assertThat(config.path("config").path("Labels").path("org.opencontainers.image.version").asText()).isEqualTo("1.2.3");
    }

    @Test
    void itRunsAsTheUserAndOnThePortTheDeploymentExpects() {
        JsonNode deployment = Overlays.render(Overlays.BASE).stream()
                .filter(m -> m.kind().equals("Deployment") && m.name().equals(SERVICE)).findFirst().orElseThrow().body();
        JsonNode pod = deployment.path("spec").path("template").path("spec");
        String user = pod.path("securityContext").path("runAsUser").asText();
        int port = pod.path("containers").get(0).path("ports").get(0).path("containerPort").asInt();

        assertThat(config.path("config").path("User").asText()).isEqualTo(user + ":" + user);
        assertThat(config.path("config").path("ExposedPorts").has(port + "/tcp")).isTrue();
        assertThat(rootfs.resolve("etc/passwd")).content().contains("keyward:x:" + user + ":" + user + ":");
    }

    @Test
    void theImageHoldsAJavaRuntimeAndTheServiceButNoShellOrPackageManager() {
        assertThat(rootfs.resolve("opt/java/bin/java")).isExecutable();
        assertThat(rootfs.resolve("opt/java/lib/security/cacerts")).isRegularFile();
        assertThat(rootfs.resolve("app/quarkus-run.jar")).isRegularFile();
        assertThat(rootfs.resolve("app/lib/main")).isDirectory();
        assertThat(rootfs.resolve("bin/sh")).doesNotExist();
        assertThat(rootfs.resolve("usr/bin/apt-get")).doesNotExist();
    }

    @Test
    void theServiceStartsFromTheImageEntrypointAndBecomesReady() throws Exception {
        Files.createDirectories(rootfs.resolve("proc"));
        Files.createDirectories(rootfs.resolve("dev"));
        List<String> entrypoint = new ArrayList<>();
        config.path("config").path("Entrypoint").forEach(e -> entrypoint.add(e.asText()));
        assertThat(entrypoint).isEqualTo(ImageBuilder.ENTRYPOINT);
        String inside = "mount --rbind /proc \"$0/proc\" && mount --rbind /dev \"$0/dev\" && exec chroot \"$0\" \"$@\"";
        List<String> launcher = new ArrayList<>(List.of("unshare", "--map-root-user", "--mount", "sh", "-c", inside, rootfs.toString()));
        launcher.addAll(entrypoint);

        try (ServiceProcess service = ServiceProcess.builder(SERVICE).launcher(launcher).logDir(work.resolve("logs"))
                .database(SharedInfrastructure.postgres("keyward_audit_image"))
                .kafka(SharedInfrastructure.kafkaBootstrapServers())
                .env("KEYWARD_INTERNAL_SECRET", "image-test-internal-secret")
                .env("JAVA_TOOL_OPTIONS", "-Xmx256m -XX:+UseSerialGC")
                .start()) {
            HttpResponse<String> health = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(service.baseUrl() + "/q/health/ready")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(health.body()).contains("\"UP\"");
            assertThat(Files.readString(service.log()))
                    .doesNotContain("UnsatisfiedLinkError", "ClassNotFoundException");
        }
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", command) + "\n" + out).isZero();
    }
}
