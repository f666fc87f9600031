package dev.keyward.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ./keyward} launcher's start-up work, run as a shell would run it on a copy of the project
 * layout (the launcher and the packaged jar): the first command makes the class-data archive in the
 * background, later ones use it, a newer jar gets a new one, and a broken archive never fails a command.
 */
class LauncherIT {

    private static final Duration ARCHIVE_MADE = Duration.ofMinutes(3);

    @TempDir
    Path project;

    record Result(int exit, String out, String err) {
    }

    @Test
    void theFirstCommandMakesTheArchiveAndTheNextOnesUseIt() throws Exception {
        Path launcher = project.resolve("keyward");
        Files.copy(Path.of("..", "keyward"), launcher);
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwx------"));
        Path target = Files.createDirectories(project.resolve("cli/target"));
        Path jar = Files.copy(CliProcess.jar(), target.resolve("keyward-cli.jar"), StandardCopyOption.REPLACE_EXISTING);

        Result first = run(Map.of(), "--version");
        assertThat(first.exit()).as(first.err()).isZero();
        assertThat(first.out().lines()).as("nothing of the archive on stdout").hasSize(2).first().asString().startsWith("keyward ");
        Path archive = awaitArchive(target);
        assertThat(archive.getFileName().toString()).matches("keyward-cli\\.\\d+\\.jsa");

        assertThat(mainClassSource("--version")).as("the second command maps the archive").contains("shared objects file");

        // A newer jar: that command runs from the jar alone, and a new archive replaces the old one.
        // Newer than the archive but not in the future: the archive made next must come out newer than it.
        long newer = Math.max(System.currentTimeMillis(), Files.getLastModifiedTime(archive).toMillis() + 1_000);
        Files.setLastModifiedTime(jar, FileTime.fromMillis(newer));
        assertThat(mainClassSource("--version")).contains("keyward-cli.jar");
        await().atMost(ARCHIVE_MADE).pollInterval(Duration.ofMillis(500)).until(() -> !Files.exists(target.resolve(archive.getFileName() + ".lock"))
                && Files.getLastModifiedTime(archive).compareTo(Files.getLastModifiedTime(jar)) >= 0);

        // An archive that is not one: the command works all the same, and says nothing about it.
        Files.setPosixFilePermissions(archive, PosixFilePermissions.fromString("rw-------"));
        Files.write(archive, new byte[4096]);
        Files.setLastModifiedTime(archive, FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() + 5_000));
        Result broken = run(Map.of("KEYWARD_TOKEN", "kw_prod_o_notakey", "KEYWARD_URL", "http://127.0.0.1:1"), "token", "list");
        assertThat(broken.exit()).as(broken.err()).isEqualTo(ExitCode.UNREACHABLE);
        assertThat(broken.out()).isEmpty();
        assertThat(broken.err()).startsWith("keyward: cannot reach token-service at http://127.0.0.1:1");
    }

    /** Where the class {@code dev.keyward.cli.Main} came from in a run of {@code args}: the archive or the jar. */
    private String mainClassSource(String... args) throws Exception {
        Path log = Files.createTempFile(project, "classes", ".log");
        Result r = run(Map.of("JDK_JAVA_OPTIONS", "-Xlog:class+load=info:file=" + log), args);
        assertThat(r.exit()).as(r.err()).isZero();
        try (Stream<String> lines = Files.lines(log)) {
            return lines.filter(l -> l.contains(" dev.keyward.cli.Main ")).findFirst().orElseThrow();
        }
    }

    private Path awaitArchive(Path target) {
        return await().atMost(ARCHIVE_MADE).pollInterval(Duration.ofMillis(500)).until(() -> {
            try (Stream<Path> files = Files.list(target)) {
                List<Path> all = files.toList();
                Optional<Path> archive = all.stream().filter(p -> p.getFileName().toString().endsWith(".jsa")).findFirst();
                boolean making = all.stream().anyMatch(p -> p.getFileName().toString().endsWith(".lock"));
                return making ? Optional.<Path>empty() : archive;
            }
        }, Optional::isPresent).orElseThrow();
    }

    private Result run(Map<String, String> env, String... args) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(Stream.concat(Stream.of(project.resolve("keyward").toString()), Stream.of(args)).toList());
        pb.environment().keySet().removeIf(k -> k.startsWith("KEYWARD_") || k.equals("JDK_JAVA_OPTIONS"));
        pb.environment().put("XDG_CONFIG_HOME", project.resolve("config").toString());
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        CompletableFuture<String> out = CliProcess.drain(p.getInputStream());
        CompletableFuture<String> err = CliProcess.drain(p.getErrorStream());
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("keyward " + String.join(" ", args) + " finished").isTrue();
        return new Result(p.exitValue(), out.join(), err.join().replaceAll("(?m)^NOTE: Picked up JDK_JAVA_OPTIONS.*\\R", ""));
    }
}
