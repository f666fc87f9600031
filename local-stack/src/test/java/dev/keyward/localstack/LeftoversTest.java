package dev.keyward.localstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Only a PostgreSQL of this very data folder counts as a leftover: an unrelated pid is never stopped. */
class LeftoversTest {

    @TempDir
    Path home;

    @Test
    void thePostgresOfThisDataFolderIsRecognised() {
        Path data = LocalStack.postgresData(home.toAbsolutePath());
        assertThat(Leftovers.isPostgresOf(List.of("/tmp/embedded-pg/PG-1/bin/postgres", "-D", data.toString(), "-p", "15432"), data))
                .isTrue();
    }

    @Test
    void anyOtherCommandLineIsNot() {
        Path data = LocalStack.postgresData(home.toAbsolutePath());
        assertThat(Leftovers.isPostgresOf(List.of("/usr/lib/postgresql/15/bin/postgres", "-D", "/var/lib/postgresql/15/main"), data))
                .as("another PostgreSQL").isFalse();
        assertThat(Leftovers.isPostgresOf(List.of("/usr/bin/python3", "-D", data.toString()), data)).as("another program").isFalse();
        assertThat(Leftovers.isPostgresOf(List.of("/usr/bin/postgres-exporter", "-D", data.toString()), data)).isFalse();
        assertThat(Leftovers.isPostgresOf(List.of("/bin/postgres", "-D"), data)).isFalse();
        assertThat(Leftovers.isPostgresOf(List.of(), data)).as("a process gone or not readable").isFalse();
    }

    @Test
    void aPidFileNamingAnotherProcessIsIgnored() throws Exception {
        // The pid of this JVM: alive, but no PostgreSQL, so it must not be taken for one.
        Path data = Files.createDirectories(LocalStack.postgresData(home.toAbsolutePath()));
        Files.writeString(data.resolve("postmaster.pid"), ProcessHandle.current().pid() + "\n" + data + "\n");
        assertThat(new Leftovers(home).postgres()).isEmpty();
        assertThat(new Leftovers(home).all()).isEmpty();
    }
}
