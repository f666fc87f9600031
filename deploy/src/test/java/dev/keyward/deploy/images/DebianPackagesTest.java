package dev.keyward.deploy.images;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./keyward images} fetches the os layer's Debian packages without changing the machine: apt
 * state of its own, in a cache that outlives {@code mvn clean}. Offline: the command lines, the
 * cache, the cached case and the failure message; no real download runs here.
 */
class DebianPackagesTest {

    @TempDir
    Path cache;

    private final ByteArrayOutputStream progress = new ByteArrayOutputStream();

    @Test
    void theCacheIsKeywardCacheThenXdgThenTheHomeFolder() {
        Path home = Path.of("/home/dev");
        assertThat(DebianPackages.defaultCache(Map.of("KEYWARD_CACHE", "/srv/kw-cache", "XDG_CACHE_HOME", "/x"), home))
                .isEqualTo(Path.of("/srv/kw-cache/images"));
        assertThat(DebianPackages.defaultCache(Map.of("XDG_CACHE_HOME", "/x"), home)).isEqualTo(Path.of("/x/keyward/images"));
        assertThat(DebianPackages.defaultCache(Map.of(), home)).isEqualTo(Path.of("/home/dev/.cache/keyward/images"));
    }

    @Test
    void aptGetKeepsAllItsStateInTheCache() {
        List<List<String>> commands = new DebianPackages(cache).commands();

        assertThat(commands).hasSize(2);
        assertThat(commands.get(0)).startsWith("apt-get").endsWith("update");
        assertThat(commands.get(1)).startsWith("apt-get").containsSequence(List.of("download", "libc6", "libgcc-s1", "libstdc++6", "zlib1g"));
        for (List<String> command : commands) {
            List<String> settings = new ArrayList<>();
            for (int i = 0; i < command.size() - 1; i++) {
                if (command.get(i).equals("-o")) {
                    settings.add(command.get(i + 1));
                }
            }
            // apt's lists, its caches and the dpkg status it reads: each in the cache, none of the machine's
            assertThat(settings).extracting(s -> s.substring(0, s.indexOf('=')))
                    .containsExactlyInAnyOrder("Dir::State", "Dir::State::status", "Dir::Cache");
            assertThat(settings).allSatisfy(s -> assertThat(Path.of(s.substring(s.indexOf('=') + 1))).startsWithRaw(cache));
        }
    }

    @Test
    void aptReadsItsStateFromTheCacheAndRunsNoneOfTheMachinesHooks() throws Exception {
        DebianPackages failing = new DebianPackages(cache, "false");
        assertThatThrownBy(() -> failing.fetch(new PrintStream(progress, true, StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalStateException.class); // it prepared apt's state and configuration first
        // The same options given to the real apt-config (offline): what apt-get update would run with.
        List<String> dump = new ArrayList<>(new DebianPackages(cache).commands().get(0));
        dump.set(0, "apt-config");
        dump.set(dump.size() - 1, "dump");
        Process p = new ProcessBuilder(dump).redirectErrorStream(true).start();
        String config = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(config).isZero();

        assertThat(config).contains("Dir::State \"" + cache.resolve("apt/state"), "Dir::Cache \"" + cache.resolve("apt/cache"),
                "Dir::State::status \"" + cache.resolve("apt/state/status"));
        assertThat(config.lines()).noneMatch(l -> l.matches("(APT::Update::(Pre|Post)-Invoke(-Success)?|DPkg::(Pre-Invoke|Post-Invoke|Pre-Install-Pkgs))::.*"));
    }

    @Test
    void whenApt_getFailsTheMessageSaysWhatWasFetchedWhereAndWhatToDo() {
        DebianPackages packages = new DebianPackages(cache, "false"); // an apt-get that cannot reach a mirror

        assertThatThrownBy(() -> packages.fetch(new PrintStream(progress, true, StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Cannot fetch the Debian packages libc6, libgcc-s1, libstdc++6, zlib1g")
                .hasMessageContaining("' failed")
                .hasMessageContaining("apt sources")
                .hasMessageContaining(cache.resolve("debs").toString());
        assertThat(progress.toString(StandardCharsets.UTF_8))
                .contains("Fetching the Debian packages libc6, libgcc-s1, libstdc++6, zlib1g")
                .contains(cache.toString());
    }

    @Test
    void withoutApt_getTheMessageSaysSo() {
        DebianPackages packages = new DebianPackages(cache, cache.resolve("no-such-apt-get").toString());

        assertThatThrownBy(() -> packages.fetch(new PrintStream(progress, true, StandardCharsets.UTF_8)))
                .hasMessageContaining("no-such-apt-get is missing")
                .hasMessageContaining("Cannot fetch the Debian packages");
    }

    @Test
    void cachedPackagesAreUsedWithoutRunningApt_get() throws Exception {
        Path debs = Files.createDirectories(cache.resolve("debs"));
        for (String deb : List.of("libc6_2.36-9+deb12u10_amd64.deb", "libgcc-s1_12.2.0-14_amd64.deb",
                "libstdc++6_12.2.0-14_amd64.deb", "zlib1g_1.2.13.dfsg-1_amd64.deb")) {
            Files.writeString(debs.resolve(deb), "");
        }
        DebianPackages packages = new DebianPackages(cache, "false"); // would fail if it ran

        assertThat(packages.fetch(new PrintStream(progress, true, StandardCharsets.UTF_8))).hasSize(4);
        assertThat(progress.toString(StandardCharsets.UTF_8)).isEmpty();
    }
}
