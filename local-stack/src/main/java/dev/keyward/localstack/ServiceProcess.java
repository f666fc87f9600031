package dev.keyward.localstack;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One Keyward service started as a real process from its packaged build
 * ({@code <module>/target/quarkus-app/quarkus-run.jar}), as it runs in production. Used by the
 * local stack and by tests that need a peer service over the network.
 */
public final class ServiceProcess implements AutoCloseable {

    private final String module;
    private final int port;
    private final ProcessBuilder launcher;
    private final Duration readyTimeout;
    private final Path log;
    private volatile Process process;
    private boolean paused;

    private ServiceProcess(String module, int port, ProcessBuilder launcher, Duration readyTimeout, Path log) {
        this.module = module;
        this.port = port;
        this.launcher = launcher;
        this.readyTimeout = readyTimeout;
        this.log = log;
    }

    public static Builder builder(String module) {
        return new Builder(module);
    }

    public String module() {
        return module;
    }

    public int port() {
        return port;
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    /** Where the process's output goes. */
    public Path log() {
        return log;
    }

    /** The running process's id, or -1 when it is not running (e.g. for CPU accounting in benchmarks). */
    public long pid() {
        Process p = process;
        return p != null && p.isAlive() ? p.pid() : -1;
    }

    public boolean isAlive() {
        Process p = process;
        return p != null && p.isAlive();
    }

    /**
     * Starts the process (again, after {@link #close()}: same command, port and environment; the
     * log is appended to) and waits until {@code /q/health/ready} answers 200.
     */
    public synchronized ServiceProcess start() {
        if (isAlive()) {
            return this;
        }
        try {
            process = launcher.start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + module, e);
        }
        try {
            awaitReady(readyTimeout);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        return this;
    }

    /**
     * Freezes the process (SIGSTOP): it keeps its port, so callers connect and then wait, as with a
     * hung server. {@link #resume()} lets it continue. Fault tests only.
     */
    public synchronized void pause() {
        signal("STOP");
        paused = true;
    }

    /** Lets a {@link #pause() paused} process continue (SIGCONT). */
    public synchronized void resume() {
        signal("CONT");
        paused = false;
    }

    private void signal(String name) {
        Process p = process;
        if (p == null || !p.isAlive()) {
            throw new IllegalStateException(module + " is not running");
        }
        try {
            Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(p.pid())).inheritIO().start();
            if (kill.waitFor() != 0) {
                throw new IllegalStateException("kill -" + name + " " + module + " failed");
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot signal " + module, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while signalling " + module, e);
        }
    }

    /** Stops the process (SIGTERM, then SIGKILL after 15 s) and waits for it; {@link #start()} brings it back. */
    @Override
    public synchronized void close() {
        Process process = this.process;
        if (process == null || !process.isAlive()) {
            return;
        }
        if (paused) {
            resume(); // a paused process cannot act on SIGTERM
        }
        process.toHandle().descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(15, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    /** The project's top folder: the nearest parent of the working directory holding the service modules. */
    public static Path projectRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null) {
            if (Files.isDirectory(dir.resolve("token-service")) && Files.exists(dir.resolve("pom.xml"))) {
                return dir;
            }
            dir = dir.getParent();
        }
        throw new IllegalStateException("cannot find the Keyward project folder above the working directory");
    }

    /** Configures and starts one service. */
    public static final class Builder {
        private final String module;
        private final Map<String, String> env = new LinkedHashMap<>();
        private final List<String> jvmArgs = new ArrayList<>(List.of("-Xmx384m", "-XX:+UseSerialGC"));
        private int port;
        private Path logDir;
        private Duration readyTimeout = Duration.ofSeconds(90);
        private List<String> launcher;
        private Path jar;

        private Builder(String module) {
            this.module = Objects.requireNonNull(module);
        }

        public Builder port(int port) {
            this.port = port;
            return this;
        }

        public Builder env(String name, String value) {
            env.put(name, value);
            return this;
        }

        public Builder env(Map<String, String> values) {
            env.putAll(values);
            return this;
        }

        /** Points the service at its database. */
        public Builder database(PostgresConnection db) {
            env.put("KEYWARD_DB_REACTIVE_URL", db.reactiveUrl());
            env.put("KEYWARD_DB_JDBC_URL", db.jdbcUrl());
            env.put("KEYWARD_DB_USER", db.username());
            env.put("KEYWARD_DB_PASSWORD", db.password());
            return this;
        }

        public Builder kafka(String bootstrapServers) {
            env.put("KEYWARD_KAFKA", bootstrapServers);
            return this;
        }

        public Builder jvmArg(String arg) {
            jvmArgs.add(arg);
            return this;
        }

        public Builder logDir(Path dir) {
            this.logDir = dir;
            return this;
        }

        /**
         * Runs this command instead of {@code java -jar <module>/target/quarkus-app/quarkus-run.jar}, e.g.
         * the service's container image entrypoint (the JVM arguments of this builder are not added).
         */
        public Builder launcher(List<String> command) {
            this.launcher = List.copyOf(command);
            return this;
        }

        /** Runs this packaged build instead of {@code <module>/target/quarkus-app/quarkus-run.jar}, e.g. a benchmark build. */
        public Builder jar(Path quarkusRunJar) {
            this.jar = quarkusRunJar;
            return this;
        }

        public Builder readyTimeout(Duration timeout) {
            this.readyTimeout = timeout;
            return this;
        }

        /** Starts the process and waits until {@code /q/health/ready} answers 200. */
        public ServiceProcess start() {
            Path jar = this.jar != null ? this.jar : projectRoot().resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
            if (launcher == null && !Files.exists(jar)) {
                throw new IllegalStateException(module + " is not built: run ./mvnw package -DskipTests first (" + jar
                        + " is missing)");
            }
            int httpPort = port > 0 ? port : EmbeddedKafka.freePort();
            try {
                Path dir = logDir != null ? logDir : Files.createTempDirectory("keyward-" + module);
                Files.createDirectories(dir);
                Path log = dir.resolve(module + ".log");
                List<String> command = new ArrayList<>();
                if (launcher != null) {
                    command.addAll(launcher);
                } else {
                    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
                    command.addAll(jvmArgs);
                    command.add("-jar");
                    command.add(jar.toString());
                }
                ProcessBuilder pb = new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
                pb.environment().putAll(env);
                pb.environment().put("QUARKUS_HTTP_PORT", Integer.toString(httpPort));
                return new ServiceProcess(module, httpPort, pb, readyTimeout, log).start();
            } catch (IOException e) {
                throw new IllegalStateException("cannot start " + module, e);
            }
        }
    }

    private void awaitReady(Duration timeout) {
        Process process = this.process;
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest ready = HttpRequest.newBuilder(URI.create(baseUrl() + "/q/health/ready"))
                .timeout(Duration.ofSeconds(5)).build();
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException(module + " exited with code " + process.exitValue() + "; see " + log);
            }
            try {
                if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + module, e);
            }
            try {
                // Polling a child process for readiness: there is no event to wait on.
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + module, e);
            }
        }
        throw new IllegalStateException(module + " was not ready within " + timeout.toSeconds() + " s; see " + log);
    }
}
