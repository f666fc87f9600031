package dev.keyward.cli.config;

/** The Keyward services the CLI talks to, with where their address can be configured. */
public enum Service {
    TOKEN("token-service", "KEYWARD_URL", "url", "--url", 8081),
    REPO("repo-service", "KEYWARD_REPO_URL", "repo_url", "--repo-url", 8082),
    AUDIT("audit-service", "KEYWARD_AUDIT_URL", "audit_url", "--audit-url", 8083);

    private final String displayName;
    private final String envVar;
    private final String configKey;
    private final String flag;
    private final int defaultPort;

    Service(String displayName, String envVar, String configKey, String flag, int defaultPort) {
        this.displayName = displayName;
        this.envVar = envVar;
        this.configKey = configKey;
        this.flag = flag;
        this.defaultPort = defaultPort;
    }

    public String displayName() {
        return displayName;
    }

    public String envVar() {
        return envVar;
    }

    public String configKey() {
        return configKey;
    }

    public String flag() {
        return flag;
    }

    public String defaultUrl() {
        return "http://127.0.0.1:" + defaultPort;
    }
}
