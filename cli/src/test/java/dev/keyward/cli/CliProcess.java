package dev.keyward.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** The packaged CLI run as a real process: {@code java -jar target/keyward-cli.jar ...} with a chosen environment. */
final class CliProcess {

    private final Map<String, String> env = new HashMap<>();

    record Result(int exit, String out, String err) {

        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    CliProcess env(String name, String value) {
        env.put(name, value);
        return this;
    }

    static Path jar() {
        Path jar = Path.of(System.getProperty("keyward.cli.jar", "target/keyward-cli.jar"));
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: these tests run after `package` (failsafe)");
        }
        return jar;
    }

    /** Starts the CLI without waiting, for interactive flows (login). */
    Process start(String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-jar");
        command.add(jar().toString());
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        // Only what the test chooses: no KEYWARD_* of the machine running the build leaks in.
        pb.environment().keySet().removeIf(k -> k.startsWith("KEYWARD_") || k.equals("XDG_CONFIG_HOME") || k.equals("COLUMNS"));
        pb.environment().putAll(env);
        return pb.start();
    }

    Result run(String... args) {
        try {
            Process p = start(args);
            p.getOutputStream().close();
            CompletableFuture<String> out = drain(p.getInputStream());
            CompletableFuture<String> err = drain(p.getErrorStream());
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("keyward " + String.join(" ", args) + " did not finish in 120 s");
            }
            return new Result(p.exitValue(), out.join(), err.join());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static CompletableFuture<String> drain(InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try (in) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "";
            }
        });
    }
}
