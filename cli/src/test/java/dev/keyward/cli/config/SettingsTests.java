package dev.keyward.cli.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsTests {

    @TempDir
    Path home;

    @Test
    void theConfigFolderFollowsXdgElseHome() {
        assertThat(ConfigDir.resolve(Map.of("XDG_CONFIG_HOME", "/x/cfg", "HOME", "/h"))).isEqualTo(Path.of("/x/cfg/keyward"));
        assertThat(ConfigDir.resolve(Map.of("HOME", "/h"))).isEqualTo(Path.of("/h/.config/keyward"));
    }

    @Test
    void flagBeatsEnvironmentBeatsFileBeatsDefault() throws Exception {
        Path dir = home.resolve("keyward");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("config.properties"), "url=http://file:1\nrepo_url=http://file:2/\nissuer=http://idp\n");

        Settings settings = new Settings(Map.of("XDG_CONFIG_HOME", home.toString(), "KEYWARD_URL", "http://env:1"));
        assertThat(settings.url(Service.TOKEN)).isEqualTo("http://env:1");
        assertThat(settings.url(Service.REPO)).isEqualTo("http://file:2");
        assertThat(settings.url(Service.AUDIT)).isEqualTo("http://127.0.0.1:8083");
        assertThat(settings.issuer()).isEqualTo("http://idp");
        assertThat(settings.clientId()).isEqualTo("keyward-cli");

        settings.overrideUrl(Service.TOKEN, "http://flag:1");
        assertThat(settings.url(Service.TOKEN)).isEqualTo("http://flag:1");
    }

    @Test
    void aBlankEnvironmentTokenCountsAsNone() {
        assertThat(new Settings(Map.of("HOME", home.toString(), "KEYWARD_TOKEN", "  ")).envToken()).isNull();
        assertThat(new Settings(Map.of("HOME", home.toString(), "KEYWARD_TOKEN", " kw_x \n")).envToken()).isEqualTo("kw_x");
    }

    @Test
    void privateFilesAreOwnerOnlyInAnOwnerOnlyFolder() throws Exception {
        Path file = home.resolve("new/keyward/session.json");
        PrivateFiles.write(file, "{\"a\":1}");
        PrivateFiles.write(file, "{\"a\":2}");

        assertThat(Files.readString(file)).isEqualTo("{\"a\":2}");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent()))).isEqualTo("rwx------");
        try (var files = Files.list(file.getParent())) {
            assertThat(files).containsExactly(file);
        }
    }
}
