package dev.keyward.system;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyward.contract.ApiKeyFormat;
import dev.keyward.contract.TokenKind;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs after every other system test (see {@code junit-platform.properties}) and scans what the
 * whole run left behind for secrets: each service's log, the test JVM's own output (the embedded
 * database and broker log there) and the broker's segment files (every event that was published).
 */
@Order(Integer.MAX_VALUE)
class SecretsInLogsTests {

    @TempDir
    Path scratch;

    @Test
    void noLogOfTheWholeRunHoldsASecret() throws IOException {
        SystemStack system = SystemStack.shared();
        List<Path> files = new ArrayList<>();
        try (Stream<Path> logs = Files.list(system.stack().logDir())) {
            logs.filter(Files::isRegularFile).forEach(files::add);
        }
        try (Stream<Path> segments = Files.walk(system.stack().home().resolve("kafka"))) {
            segments.filter(p -> p.getFileName().toString().endsWith(".log")).forEach(files::add);
        }
        assertThat(files).extracting(p -> p.getFileName().toString())
                .contains("token-service.log", "repo-service.log", "audit-service.log", "test-jvm.log");
        assertThat(system.secrets()).as("secrets handed out in this run").isNotEmpty();

        assertThat(SecretScan.findings(files, system.secrets(), serverSecrets(system))).isEmpty();
    }

    @Test
    void theScanFindsKeysAndSecretsWithoutRepeatingThem() throws IOException {
        String issued = ApiKeyFormat.generate(ApiKeyFormat.Environment.PROD, TokenKind.ORG);
        String stranger = ApiKeyFormat.generate(ApiKeyFormat.Environment.DEV, TokenKind.REPO);
        String typo = stranger.substring(0, stranger.length() - 1) + (stranger.endsWith("a") ? "b" : "a");
        Path log = Files.writeString(scratch.resolve("service.log"),
                "start\nAuthorization: Bearer " + issued + "\n" + typo + " pepper=s3cr3t-pepper-value\n\0binary" + stranger);

        List<String> findings = SecretScan.findings(List.of(log), Set.of(issued), Set.of("s3cr3t-pepper-value"));

        assertThat(findings).containsExactlyInAnyOrder(
                log + ":2: an API key (" + ApiKeyFormat.prefixOf(issued) + "…, issued in this run)",
                log + ":3: a server secret",
                log + ":4: an API key (" + ApiKeyFormat.prefixOf(stranger) + "…)");
        assertThat(String.join("\n", findings)).doesNotContain(issued, stranger, "s3cr3t-pepper-value");
    }

    /** The stack's pepper and internal secret. */
    private static Set<String> serverSecrets(SystemStack system) throws IOException {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(system.stack().home().resolve("secrets.properties"))) {
            p.load(in);
        }
        Set<String> secrets = new HashSet<>();
        p.stringPropertyNames().forEach(name -> secrets.add(p.getProperty(name)));
        return secrets;
    }
}
