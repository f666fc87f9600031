package dev.keyward.localstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code ./keyward up} stopped each way it can be (Ctrl-C, SIGTERM, a hard kill), then started again
 * on the same data folder: it comes up cleanly, and at the end nothing of it is left running. The
 * launcher runs as a real process, started as {@code ./keyward up --no-build} starts it, with the
 * hidden {@code --no-services} option (PostgreSQL and Kafka only): the services would need a build
 * of all three, and their stop is {@link ServiceProcess}'s; PostgreSQL is the part that outlives a
 * hard-killed launcher.
 */
class LauncherRestartTest {

    private static final Pattern POSTGRES_PORT = Pattern.compile("PostgreSQL on :(\\d+)");

    @TempDir
    Path dir;

    private final List<Process> launchers = new ArrayList<>();

    @ParameterizedTest(name = "SIG{0}")
    @ValueSource(strings = {"INT", "TERM", "KILL"})
    void aStoppedLauncherStartsAgainCleanlyOnTheSameData(String signal) throws Exception {
        Path data = dir.resolve("data");
        Process first = launch(data, dir.resolve("first.log"));
        awaitUp(first, dir.resolve("first.log"));

        // A second ./keyward up on the same data is refused by the launcher's check, before any build.
        StringWriter err = new StringWriter();
        int exit = UpCommand.run(Map.of("KEYWARD_PORTS", "free"), new PrintWriter(new StringWriter()), new PrintWriter(err, true),
                "--check", "--no-services", "--data=" + data);
        assertThat(exit).isNotZero();
        assertThat(err.toString()).contains("Keyward is already running (pid " + first.pid() + ", data dir " + data + ")");

        send(first, signal);
        assertThat(first.waitFor(60, TimeUnit.SECONDS)).as("the launcher exits on SIG" + signal).isTrue();
        if (signal.equals("KILL")) {
            // What this is about: zonky's PostgreSQL runs in a session of its own and outlives the launcher.
            assertThat(new Leftovers(data).postgres()).as("PostgreSQL left running by the killed launcher").isPresent();
        } else {
            assertThat(processesUsing(data)).as("left running after SIG" + signal).isEmpty();
        }

        Process second = launch(data, dir.resolve("second.log"));
        String output = awaitUp(second, dir.resolve("second.log"));
        if (signal.equals("KILL")) {
            assertThat(output).contains("Stopping PostgreSQL left running by an earlier run");
        }
        assertThat(output).doesNotContain("Exception", "WARN");
        assertPostgresAnswers(output);

        send(second, "TERM");
        assertThat(second.waitFor(60, TimeUnit.SECONDS)).as("the second launcher exits").isTrue();
        assertThat(processesUsing(data)).as("left running at the end").isEmpty();
        assertThat(data.resolve(RunLock.FILE)).doesNotExist();
    }

    @AfterEach
    void stopWhatIsLeft() {
        launchers.forEach(Process::destroyForcibly);
        new Leftovers(dir.resolve("data")).stop(line -> { });
    }

    /** The launcher's Java process as {@code ./keyward up --no-build} runs it, on free ports. */
    private Process launch(Path data, Path log) throws IOException {
        String classPath = Path.of("target/classes").toAbsolutePath() + ":" + Files.readString(Path.of("target/classpath.txt")).strip();
        // env --default-signal: a terminal delivers Ctrl-C; a test run in the background of a script
        // would otherwise hand SIGINT down ignored, and the JVM keeps it ignored.
        ProcessBuilder pb = new ProcessBuilder("env", "--default-signal=INT",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.util.logging.manager=org.jboss.logmanager.LogManager", "-cp", classPath,
                LocalStack.class.getName(), "--no-build", "--no-services", "--data=" + data)
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("KEYWARD_PORTS", "free");
        pb.environment().keySet().removeIf(k -> List.of("KEYWARD_PG_URL", "KEYWARD_KAFKA", "KEYWARD_HOME").contains(k));
        Process launcher = pb.start();
        launchers.add(launcher);
        return launcher;
    }

    private static String awaitUp(Process launcher, Path log) {
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200)).until(() -> {
            String output = Files.readString(log);
            assertThat(launcher.isAlive()).as("the launcher exited early:\n%s", output).isTrue();
            return output.contains("Press Ctrl-C to stop.");
        });
        try {
            return Files.readString(log);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void send(Process launcher, String signal) throws Exception {
        switch (signal) {
            case "TERM" -> launcher.destroy();
            case "KILL" -> launcher.destroyForcibly();
            default -> assertThat(new ProcessBuilder("kill", "-" + signal, Long.toString(launcher.pid())).start().waitFor()).isZero();
        }
    }

    private static void assertPostgresAnswers(String output) throws Exception {
        Matcher port = POSTGRES_PORT.matcher(output);
        assertThat(port.find()).as(output).isTrue();
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port.group(1) + "/postgres",
                EmbeddedPostgresServer.USER, EmbeddedPostgresServer.USER);
             ResultSet rs = c.createStatement().executeQuery("select 1")) {
            assertThat(rs.next()).isTrue();
        }
    }

    /** Every process whose command line mentions the data folder (launcher, PostgreSQL), found independently of Leftovers. */
    private static List<String> processesUsing(Path data) {
        return ProcessHandle.allProcesses()
                .filter(p -> p.pid() != ProcessHandle.current().pid())
                .map(p -> {
                    try {
                        return p.pid() + " " + Files.readString(Path.of("/proc", Long.toString(p.pid()), "cmdline")).replace('\0', ' ');
                    } catch (IOException e) {
                        return "";
                    }
                })
                .filter(cmdline -> cmdline.contains(data.toString()))
                .toList();
    }
}
