package dev.keyward.localstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./keyward up --check}: what the launcher runs before it builds anything. */
class UpCommandTest {

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int check(Map<String, String> env, String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "--check";
        System.arraycopy(args, 0, all, 1, args.length);
        return UpCommand.run(env, new PrintWriter(out, true), new PrintWriter(err, true), all);
    }

    @Test
    void everyDocumentedFlagAndSettingIsAccepted() {
        Map<String, String> env = Map.of("KEYWARD_PORTS", "free", "KEYWARD_PG_URL", "postgresql://kw:pw@db.internal:5432",
                "KEYWARD_KAFKA", "k1:9092,k2:9092", "KEYWARD_HOME", dir.toString());
        assertThat(check(env, "--data=" + dir.resolve("data"), "--with-keycloak", "--no-build")).as(err.toString()).isZero();
        // Free ports: the documented ones may be in use on a shared test machine.
        assertThat(check(Map.of("KEYWARD_PORTS", "free"))).as(err.toString()).isZero();
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void aTypoIsRefusedWithASuggestionAndTheSynopsis() {
        assertThat(check(Map.of(), "--with-keycloack")).isEqualTo(2);
        assertThat(err.toString())
                .contains("Unknown option: '--with-keycloack'")
                .contains("--with-keycloak")
                .contains("Usage: keyward up")
                .contains("./keyward up --help");
    }

    @Test
    void badSettingsAreRefusedBeforeAnythingStarts() throws Exception {
        Path file = Files.writeString(dir.resolve("not-a-folder"), "x");
        assertThat(check(Map.of(), "--data=" + file)).isEqualTo(2);
        assertThat(check(Map.of("KEYWARD_PORTS", "fre"))).isEqualTo(2);
        assertThat(check(Map.of("KEYWARD_PG_URL", "http://db:5432"))).isEqualTo(2);
        assertThat(check(Map.of("KEYWARD_KAFKA", "localhost"))).isEqualTo(2);
        assertThat(err.toString())
                .contains("is a file, not a folder")
                .contains("KEYWARD_PORTS must be 'free' or unset, not 'fre'")
                .contains("KEYWARD_PG_URL must look like postgresql://")
                .contains("KEYWARD_KAFKA must look like host:port");
    }

    @Test
    void helpIsPrintedAndTellsTheLauncherToStop() {
        assertThat(check(Map.of(), "--help")).isEqualTo(UpCommand.HELP_SHOWN);
        assertThat(out.toString()).contains("--data=DIR", "--with-keycloak", "--no-build", "KEYWARD_PG_URL", "KEYWARD_PORTS",
                        "KEYWARD_JSON_LOGS")
                .doesNotContain("--check").doesNotContain("--no-services");
    }

    @Test
    void aPidFileLeftByADeadLauncherIsIgnored() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Path data = Files.createDirectories(dir.resolve("data"));
        Files.writeString(data.resolve(RunLock.FILE), gone.pid() + "\n");

        assertThat(check(Map.of("KEYWARD_PORTS", "free"), "--data=" + data)).as(err.toString()).isZero();
        assertThat(err.toString()).isEmpty();
        try (RunLock taken = RunLock.acquire(data)) {
            assertThat(Files.readString(data.resolve(RunLock.FILE)).strip()).isEqualTo(Long.toString(ProcessHandle.current().pid()));
        }
        assertThat(data.resolve(RunLock.FILE)).as("removed when the launcher stops").doesNotExist();
    }

    @Test
    void theCheckCreatesNothing() {
        Path data = dir.resolve("not-yet");
        assertThat(check(Map.of("KEYWARD_PORTS", "free"), "--data=" + data)).as(err.toString()).isZero();
        assertThat(data).doesNotExist();
    }
}
