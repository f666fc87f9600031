package dev.keyward.system;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyward.localstack.ServiceProcess;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's first command as a user types it: {@code ./keyward up} (already built) as a process.
 * The commands it prints under "Try it" are run as printed, with bash, curl and git; then the
 * launcher is stopped the way Ctrl-C does and must take everything it started with it.
 */
class LauncherTests {

    private static final Pattern TOKEN_SERVICE = Pattern.compile("token-service\\s+(http://127\\.0\\.0\\.1:\\d+)");

    @TempDir
    Path work;

    @Test
    void keywardUpStartsTheStackAndItsPrintedWalkThroughWorksUntilItIsStopped() throws Exception {
        Path root = ServiceProcess.projectRoot();
        ProcessBuilder pb = new ProcessBuilder(root.resolve("keyward").toString(), "up", "--no-build",
                "--data=" + work.resolve("data")).directory(root.toFile()).redirectErrorStream(true);
        pb.environment().put("KEYWARD_PORTS", "free");
        pb.environment().keySet().removeIf(k -> k.equals("KEYWARD_PG_URL") || k.equals("KEYWARD_KAFKA"));
        Process up = pb.start();
        up.getOutputStream().close();
        String tokenServiceUrl = null;
        List<String> walkThrough = new ArrayList<>();
        StringBuilder output = new StringBuilder();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(up.getInputStream(), StandardCharsets.UTF_8));
            boolean inTryIt = false;
            for (String line; (line = out.readLine()) != null; ) {
                output.append(line).append('\n');
                Matcher m = TOKEN_SERVICE.matcher(line);
                if (tokenServiceUrl == null && m.find()) {
                    tokenServiceUrl = m.group(1);
                }
                if (line.strip().equals("Try it:")) {
                    inTryIt = true;
                } else if (inTryIt && line.isBlank()) {
                    break;
                } else if (inTryIt) {
                    walkThrough.add(line.strip());
                }
            }
            CompletableFuture.runAsync(() -> out.lines().forEach(l -> { }));
            assertThat(tokenServiceUrl).as(output.toString()).isNotNull();
            assertThat(walkThrough).as(output.toString()).anyMatch(l -> l.contains(" clone http"));

            Path script = work.resolve("try-it.sh");
            Files.writeString(script, "set -euo pipefail\n" + String.join("\n", walkThrough) + "\n");
            Process tryIt = new ProcessBuilder("bash", script.toString()).directory(work.toFile()).redirectErrorStream(true).start();
            String tryItOutput = new String(tryIt.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(tryIt.waitFor(2, TimeUnit.MINUTES)).isTrue();
            assertThat(tryIt.exitValue()).as(String.join("\n", walkThrough) + "\n---\n" + tryItOutput).isZero();
            assertThat(work.resolve("hello/.git")).isDirectory();
            assertThat(Files.readString(work.resolve("hello/.git/config"))).doesNotContain("kw_");
            assertThat(Files.readString(work.resolve("data/admin-token")).strip()).startsWith("kw_");
        } finally {
            up.destroy(); // SIGTERM, as Ctrl-C: the shutdown hook stops the services, Kafka and PostgreSQL
            assertThat(up.waitFor(90, TimeUnit.SECONDS)).as("the launcher stops").isTrue();
            if (up.isAlive()) {
                up.destroyForcibly();
            }
        }
        URI uri = URI.create(tokenServiceUrl);
        assertThat(listening(uri.getPort())).as("token-service stopped with the launcher").isFalse();
        assertThat(output).doesNotContain("Exception");
    }

    @Test
    void aMistypedFlagIsRefusedBeforeAnythingIsBuiltOrStarted() throws Exception {
        Path root = ServiceProcess.projectRoot();
        // No --no-build: the launcher must stop at the flag, before its Maven build of the project.
        Process up = new ProcessBuilder(root.resolve("keyward").toString(), "up", "--dta=" + work.resolve("data"))
                .directory(root.toFile()).redirectErrorStream(true).start();
        up.getOutputStream().close();
        String output = new String(up.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        // Seconds when local-stack is built; a generous bound covers its one-module build on a busy machine.
        assertThat(up.waitFor(3, TimeUnit.MINUTES)).as(output).isTrue();
        assertThat(up.exitValue()).as(output).isEqualTo(2);
        assertThat(output).contains("Unknown option: '--dta=").contains("Usage: keyward up")
                .doesNotContain("Building Keyward").doesNotContain("Starting PostgreSQL");
        assertThat(work.resolve("data")).doesNotExist();
    }

    private static boolean listening(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
