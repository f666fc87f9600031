package dev.keyward.localstack;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * A real Keycloak server (the {@code keycloak-quarkus-dist} distribution from Maven Central) as a
 * child process, with the Keyward realm ({@code keycloak/keyward-realm.json}: clients, roles, the
 * {@code org} claim, demo users) imported fresh on every start into an in-memory database.
 */
public final class EmbeddedKeycloak implements AutoCloseable {

    public static final String VERSION = "26.7.3";
    public static final String REALM = "keyward";
    private static final String REALM_RESOURCE = "/keycloak/keyward-realm.json";

    private final int port;
    private final Process process;
    private final Path log;

    private EmbeddedKeycloak(int port, Process process, Path log) {
        this.port = port;
        this.process = process;
        this.log = log;
    }

    /** Starts Keycloak on a free port and waits until it is ready (about 20 s; 45 s the first time). */
    public static EmbeddedKeycloak start() {
        return start(EmbeddedKafka.freePort(), null);
    }

    /**
     * Starts Keycloak on {@code port} (and a free management port) and waits until it is ready.
     *
     * @param logDir where {@code keycloak.log} goes; a temporary folder when null
     */
    public static EmbeddedKeycloak start(int port, Path logDir) {
        Path home = installation();
        try {
            Path data = home.resolve("data");
            Files.createDirectories(data.resolve("import"));
            try (InputStream realm = EmbeddedKeycloak.class.getResourceAsStream(REALM_RESOURCE)) {
                Files.copy(realm, data.resolve("import/keyward-realm.json"), StandardCopyOption.REPLACE_EXISTING);
            }
            int management = EmbeddedKafka.freePort();
            Path dir = logDir != null ? Files.createDirectories(logDir) : Files.createTempDirectory("keyward-keycloak");
            Path log = dir.resolve("keycloak.log");
            ProcessBuilder pb = new ProcessBuilder(List.of(home.resolve("bin/kc.sh").toString(), "start-dev",
                    "--http-port=" + port, "--http-host=127.0.0.1", "--http-management-port=" + management,
                    "--health-enabled=true", "--import-realm", "--hostname=http://127.0.0.1:" + port,
                    // In memory: every start imports the realm fresh, and several servers can share
                    // one installation (tests of different modules, the local stack) without locking.
                    "--db=dev-mem"))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
            pb.environment().put("KC_BOOTSTRAP_ADMIN_USERNAME", "admin");
            pb.environment().put("KC_BOOTSTRAP_ADMIN_PASSWORD", "admin");
            pb.environment().put("JAVA_OPTS_KC_HEAP", "-Xms64m -Xmx512m");
            EmbeddedKeycloak keycloak = new EmbeddedKeycloak(port, pb.start(), log);
            Runtime.getRuntime().addShutdownHook(new Thread(keycloak::close, "keyward-keycloak-stop"));
            try {
                keycloak.awaitReady(management, Duration.ofSeconds(180));
            } catch (RuntimeException e) {
                keycloak.close();
                throw e;
            }
            return keycloak;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start Keycloak", e);
        }
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    /** The issuer / auth-server URL of the Keyward realm. */
    public String realmUrl() {
        return baseUrl() + "/realms/" + REALM;
    }

    public String tokenEndpoint() {
        return realmUrl() + "/protocol/openid-connect/token";
    }

    public Path log() {
        return log;
    }

    @Override
    public void close() {
        if (!process.isAlive()) {
            return;
        }
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void awaitReady(int management, Duration timeout) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + management + "/health/ready"))
                .timeout(Duration.ofSeconds(5)).build();
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Keycloak exited with code " + process.exitValue() + "; see " + log);
            }
            try {
                if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for Keycloak", e);
            }
            try {
                // Polling a child process for readiness: there is no event to wait on.
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for Keycloak", e);
            }
        }
        throw new IllegalStateException("Keycloak was not ready within " + timeout.toSeconds() + " s; see " + log);
    }

    /**
     * The unpacked distribution, unpacked once into {@code KEYWARD_KEYCLOAK_HOME} or the user's
     * cache folder from the Maven artifact (which the build downloads as a dependency).
     */
    static synchronized Path installation() {
        String configured = System.getenv("KEYWARD_KEYCLOAK_HOME");
        Path home = configured != null && !configured.isBlank()
                ? Path.of(configured)
                : Path.of(System.getProperty("user.home"), ".cache", "keyward", "keycloak-" + VERSION);
        if (Files.exists(home.resolve(".unpacked"))) {
            return home;
        }
        Path zip = distributionZip();
        try {
            deleteTree(home);
            Files.createDirectories(home);
            try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
                for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                    String name = e.getName();
                    int slash = name.indexOf('/');
                    String relative = slash < 0 ? "" : name.substring(slash + 1); // drop keycloak-<v>/
                    if (relative.isEmpty()) {
                        continue;
                    }
                    Path target = home.resolve(relative).normalize();
                    if (!target.startsWith(home)) {
                        throw new IOException("zip entry outside the target folder: " + name);
                    }
                    if (e.isDirectory()) {
                        Files.createDirectories(target);
                    } else {
                        Files.createDirectories(target.getParent());
                        Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
                        if (relative.startsWith("bin/") && relative.endsWith(".sh")) {
                            target.toFile().setExecutable(true);
                        }
                    }
                }
            }
            Files.createFile(home.resolve(".unpacked"));
            return home;
        } catch (IOException e) {
            throw new IllegalStateException("cannot unpack Keycloak from " + zip, e);
        }
    }

    private static Path distributionZip() {
        String repo = System.getProperty("maven.repo.local");
        Path local = repo != null ? Path.of(repo) : Path.of(System.getProperty("user.home"), ".m2", "repository");
        Path zip = local.resolve("org/keycloak/keycloak-quarkus-dist/" + VERSION + "/keycloak-quarkus-dist-" + VERSION + ".zip");
        if (!Files.exists(zip)) {
            throw new IllegalStateException("Keycloak distribution not found at " + zip
                    + "; build the project with ./mvnw (it downloads org.keycloak:keycloak-quarkus-dist:" + VERSION + ":zip)");
        }
        return zip;
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
