package dev.keyward.deploy;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Renders a kustomization with {@code kubectl kustomize}, the kustomize built into kubectl, so the
 * checks see exactly what {@code kubectl apply -k} would send. Set the system property
 * {@code keyward.kubectl} to use a kubectl that is not on the PATH.
 */
final class Kustomize {

    private static final long TIMEOUT_SECONDS = 120;

    private Kustomize() {
    }

    /** The multi-document YAML that {@code kubectl kustomize dir} prints. */
    static String render(Path dir) {
        Path kubectl = kubectl();
        try {
            Process process = new ProcessBuilder(kubectl.toString(), "kustomize", dir.toString())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
            CompletableFuture<String> stdout = readAsync(process.getInputStream());
            CompletableFuture<String> stderr = readAsync(process.getErrorStream());
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("kubectl kustomize " + dir + " did not finish in " + TIMEOUT_SECONDS + " s");
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException("kubectl kustomize " + dir + " failed (exit " + process.exitValue()
                        + "):\n" + stderr.join());
            }
            return stdout.join();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while rendering " + dir, e);
        }
    }

    static Path kubectl() {
        String configured = System.getProperty("keyward.kubectl");
        if (configured != null && !configured.isBlank()) {
            Path path = Path.of(configured);
            if (!Files.isExecutable(path)) {
                throw new IllegalStateException("keyward.kubectl=" + configured + " is not an executable file");
            }
            return path;
        }
        return findOnPath("kubectl", System.getenv("PATH")).orElseThrow(() -> new IllegalStateException(
                "kubectl not found on the PATH. The deploy module renders the Kustomize overlays with "
                        + "`kubectl kustomize` (kubectl 1.27 or newer, it has kustomize v5 built in). Install kubectl "
                        + "(https://kubernetes.io/docs/tasks/tools/) or pass -Dkeyward.kubectl=/path/to/kubectl."));
    }

    static Optional<Path> findOnPath(String program, String pathVariable) {
        if (pathVariable == null) {
            return Optional.empty();
        }
        return List.of(pathVariable.split(File.pathSeparator)).stream()
                .filter(entry -> !entry.isBlank())
                .map(entry -> Path.of(entry, program))
                .filter(candidate -> Files.isRegularFile(candidate) && Files.isExecutable(candidate))
                .findFirst();
    }

    private static CompletableFuture<String> readAsync(InputStream stream) {
        return CompletableFuture.supplyAsync(() -> {
            try (stream) {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }
}
