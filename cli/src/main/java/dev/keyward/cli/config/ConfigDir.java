package dev.keyward.cli.config;

import java.nio.file.Path;
import java.util.Map;

/** Where the CLI keeps its settings and session: {@code $XDG_CONFIG_HOME/keyward}, else {@code ~/.config/keyward}. */
public final class ConfigDir {

    private ConfigDir() {
    }

    public static Path resolve(Map<String, String> env) {
        String xdg = env.get("XDG_CONFIG_HOME");
        Path base = xdg != null && !xdg.isBlank()
                ? Path.of(xdg)
                : Path.of(env.getOrDefault("HOME", System.getProperty("user.home")), ".config");
        return base.resolve("keyward");
    }
}
