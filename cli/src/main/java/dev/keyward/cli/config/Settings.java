package dev.keyward.cli.config;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.Properties;

/**
 * Resolved configuration, each value from the first place that has it: command-line flag,
 * environment variable, the config file ({@code <config dir>/config.properties}), built-in default.
 */
public final class Settings {

    /** The identity provider of {@code ./keyward up --with-keycloak}. */
    public static final String DEFAULT_ISSUER = "http://127.0.0.1:8180/realms/keyward";
    public static final String DEFAULT_CLIENT_ID = "keyward-cli";
    public static final String CONFIG_FILE = "config.properties";
    public static final String SESSION_FILE = "session.json";

    private final Map<String, String> env;
    private final Path configDir;
    private final Properties file;
    private final Map<Service, String> flagUrls = new EnumMap<>(Service.class);

    public Settings(Map<String, String> env) {
        this.env = env;
        this.configDir = ConfigDir.resolve(env);
        this.file = load(configDir.resolve(CONFIG_FILE));
    }

    private static Properties load(Path path) {
        Properties p = new Properties();
        if (Files.isRegularFile(path)) {
            try (Reader in = Files.newBufferedReader(path)) {
                p.load(in);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + path, e);
            }
        }
        return p;
    }

    /** Sets a service URL given on the command line (it wins over everything else). */
    public void overrideUrl(Service service, String url) {
        if (url != null && !url.isBlank()) {
            flagUrls.put(service, url);
        }
    }

    public String url(Service service) {
        String url = flagUrls.get(service);
        if (url == null) {
            url = first(env.get(service.envVar()), file.getProperty(service.configKey()), service.defaultUrl());
        }
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    public String issuer() {
        return first(env.get("KEYWARD_ISSUER"), file.getProperty("issuer"), DEFAULT_ISSUER);
    }

    public String clientId() {
        return first(env.get("KEYWARD_CLIENT_ID"), file.getProperty("client_id"), DEFAULT_CLIENT_ID);
    }

    /** The API token from the environment (CI), or null. */
    public String envToken() {
        String token = env.get("KEYWARD_TOKEN");
        return token == null || token.isBlank() ? null : token.trim();
    }

    public Path configDir() {
        return configDir;
    }

    public Path configFile() {
        return configDir.resolve(CONFIG_FILE);
    }

    public Path sessionFile() {
        return configDir.resolve(SESSION_FILE);
    }

    public Properties fileProperties() {
        Properties copy = new Properties();
        copy.putAll(file);
        return copy;
    }

    public Map<String, String> env() {
        return env;
    }

    private static String first(String... values) {
        for (String v : values) {
            if (v != null && !v.isBlank()) {
                return v.trim();
            }
        }
        return null;
    }
}
