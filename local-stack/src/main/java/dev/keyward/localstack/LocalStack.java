package dev.keyward.localstack;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.StreamHandler;
import org.jboss.logmanager.ExtLogRecord;

/**
 * The whole system on one machine: PostgreSQL and Kafka (embedded, or external from
 * {@code KEYWARD_PG_URL} / {@code KEYWARD_KAFKA}), then the three services as real processes.
 * Data lives under one folder and survives restarts. This is what {@code ./keyward up} runs.
 */
public final class LocalStack implements AutoCloseable {

    public static final String BOOTSTRAP_ORG = "demo";
    static final int PG_PORT = 15432;
    static final int KAFKA_PORT = 19092;
    static final int KAFKA_CONTROLLER_PORT = 19093;
    static final int KEYCLOAK_PORT = 8180;

    private final Path home;
    private final Ports ports;
    private final boolean withKeycloak;
    private boolean withServices = true;
    private boolean closed;
    private String keycloakRealmUrl;
    private final List<AutoCloseable> started = new ArrayList<>();
    private final Map<String, String> serviceEnv = new HashMap<>();
    private final Map<String, ServiceProcess> services = new LinkedHashMap<>();
    private EmbeddedPostgresServer embeddedPostgres;
    private EmbeddedKafka embeddedKafka;
    private String tokenServiceUrl;
    private String repoServiceUrl;
    private String auditServiceUrl;

    /** The ports the stack listens on. */
    public record Ports(int postgres, int kafka, int kafkaController, int tokenService, int repoService, int auditService,
                        int keycloak) {

        /** The documented fixed ports of {@code ./keyward up}. */
        public static Ports standard() {
            return new Ports(PG_PORT, KAFKA_PORT, KAFKA_CONTROLLER_PORT, 8081, 8082, 8083, KEYCLOAK_PORT);
        }

        /** Free ports, for tests that run beside other things. */
        public static Ports free() {
            return new Ports(EmbeddedKafka.freePort(), EmbeddedKafka.freePort(), EmbeddedKafka.freePort(),
                    EmbeddedKafka.freePort(), EmbeddedKafka.freePort(), EmbeddedKafka.freePort(), EmbeddedKafka.freePort());
        }
    }

    public LocalStack(Path home) {
        this(home, Ports.standard());
    }

    public LocalStack(Path home, Ports ports) {
        this(home, ports, false);
    }

    public LocalStack(Path home, Ports ports, boolean withKeycloak) {
        this.home = home.toAbsolutePath();
        this.ports = ports;
        this.withKeycloak = withKeycloak;
    }

    /** {@code ./keyward up}: the flags and environment are {@link UpCommand}'s. */
    public static void main(String[] args) {
        int exit = UpCommand.run(args);
        if (exit != 0) {
            System.exit(exit);
        }
    }

    /** Held so that the levels and handlers set on them stay (JUL keeps loggers weakly). */
    private static final List<Logger> INFRASTRUCTURE_LOGGERS = new ArrayList<>();

    /**
     * The embedded broker and database log to files in {@code logs} ({@code kafka.log},
     * {@code postgres.log}), not to the console: a single-node broker warns about replication and
     * listeners, which tells a user of the stack nothing. The broker's INFO is a configuration dump per
     * start, so its file keeps warnings and errors only.
     */
    static void infrastructureLogsTo(Path logs) throws IOException {
        Files.createDirectories(logs);
        toFile(logs.resolve("kafka.log"), Level.WARNING, "kafka", "org.apache.kafka", "state.change.logger");
        toFile(logs.resolve("postgres.log"), Level.INFO, "io.zonky");
    }

    private static void toFile(Path file, Level level, String... loggers) throws IOException {
        OutputStream out = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        Handler handler = new StreamHandler(out, new LogLine()) {
            @Override
            public synchronized void publish(LogRecord record) {
                super.publish(record);
                flush(); // a line is in the file when something goes wrong, not when the buffer fills
            }
        };
        handler.setLevel(Level.ALL);
        for (String name : loggers) {
            Logger logger = Logger.getLogger(name);
            logger.setLevel(level);
            logger.setUseParentHandlers(false);
            logger.addHandler(handler);
            INFRASTRUCTURE_LOGGERS.add(logger);
        }
    }

    /** {@code 2026-12-07T10:15:30.123Z WARNING kafka.server.BrokerServer: message}, then the stack trace if any. */
    private static final class LogLine extends Formatter {
        @Override
        public String format(LogRecord r) {
            String message = r instanceof ExtLogRecord ext ? ext.getFormattedMessage() : formatMessage(r);
            StringWriter line = new StringWriter().append(r.getInstant().toString()).append(' ').append(r.getLevel().getName())
                    .append(' ').append(r.getLoggerName()).append(": ").append(message).append(System.lineSeparator());
            if (r.getThrown() != null) {
                r.getThrown().printStackTrace(new PrintWriter(line));
            }
            return line.toString();
        }
    }

    /** Where the embedded PostgreSQL of the stack with data folder {@code home} keeps its data. */
    static Path postgresData(Path home) {
        return home.resolve("postgres");
    }

    /**
     * The stack without the three services: PostgreSQL and Kafka only (and Keycloak if asked).
     * For the launcher's own tests of starting and stopping, which need no service build.
     */
    LocalStack infrastructureOnly() {
        withServices = false;
        return this;
    }

    /** The ports this stack will listen on, by what they are for, given the launcher's environment. */
    Map<String, Integer> portsToListenOn(Map<String, String> env) {
        Map<String, Integer> wanted = new LinkedHashMap<>();
        if (isBlank(env.get("KEYWARD_PG_URL"))) {
            wanted.put("PostgreSQL", ports.postgres());
        }
        if (isBlank(env.get("KEYWARD_KAFKA"))) {
            wanted.put("Kafka", ports.kafka());
            wanted.put("Kafka controller", ports.kafkaController());
        }
        if (withKeycloak) {
            wanted.put("Keycloak", ports.keycloak());
        }
        if (withServices) {
            wanted.put("token-service", ports.tokenService());
            wanted.put("repo-service", ports.repoService());
            wanted.put("audit-service", ports.auditService());
        }
        return wanted;
    }

    private static boolean isBlank(String value) {
        return value == null || value.isBlank();
    }

    /**
     * What every service gets from the stack: the stack's defaults, overridden by the launcher's
     * {@code KEYWARD_*} environment (KEYWARD_JSON_LOGS, rate limits, any service setting), overridden in
     * turn by {@code wiring}, the values that tie the stack together and must be the stack's own.
     */
    static Map<String, String> serviceSettings(Map<String, String> launcherEnv, Map<String, String> wiring) {
        Map<String, String> settings = new HashMap<>(SERVICE_DEFAULTS);
        launcherEnv.forEach((name, value) -> {
            if (name.startsWith("KEYWARD_")) {
                settings.put(name, value);
            }
        });
        settings.putAll(wiring);
        return settings;
    }

    /** A person reads the services' logs in files: plain lines unless KEYWARD_JSON_LOGS says otherwise. */
    private static final Map<String, String> SERVICE_DEFAULTS = Map.of("KEYWARD_JSON_LOGS", "false");

    /** Adds a started part to what {@link #close()} stops; a part started after close is stopped at once. */
    private synchronized void track(AutoCloseable part) {
        if (closed) {
            try {
                part.close();
            } catch (Exception e) {
                System.err.println("while stopping: " + e.getMessage());
            }
            throw new IllegalStateException("Keyward is stopping");
        }
        started.add(part);
    }

    /** A service's spool of undeliverable events lives with this stack's data, so it belongs to this stack's broker. */
    private Map<String, String> spoolOf(String service) {
        return Map.of("KEYWARD_VERIFICATION_EVENTS_SPOOL_DIR", home.resolve("spool").resolve(service).toString());
    }

    /** Sets an environment variable of all three services (configuration), before {@link #start()}. */
    public LocalStack serviceEnv(String name, String value) {
        serviceEnv.put(name, value);
        return this;
    }

    /** Starts everything and waits until all three services are ready. */
    public void start() {
        try {
            Files.createDirectories(home);
            Path logs = Files.createDirectories(home.resolve("logs"));
            Properties secrets = secrets();

            String pgUrl = System.getenv("KEYWARD_PG_URL");
            PostgresAccess pg;
            if (pgUrl != null && !pgUrl.isBlank()) {
                pg = PostgresAccess.external(URI.create(pgUrl));
                log("PostgreSQL: external at " + pg.host + ":" + pg.port);
            } else {
                log("Starting PostgreSQL (data in " + postgresData(home) + ") ...");
                EmbeddedPostgresServer server = EmbeddedPostgresServer.start(postgresData(home), ports.postgres());
                track(server);
                embeddedPostgres = server;
                pg = new PostgresAccess(server.host(), server.port(), EmbeddedPostgresServer.USER, EmbeddedPostgresServer.USER, server);
            }

            String kafka = System.getenv("KEYWARD_KAFKA");
            if (kafka == null || kafka.isBlank()) {
                log("Starting Kafka (data in " + home.resolve("kafka") + ") ...");
                EmbeddedKafka broker = EmbeddedKafka.start(home.resolve("kafka"), ports.kafka(), ports.kafkaController());
                track(broker);
                embeddedKafka = broker;
                kafka = broker.bootstrapServers();
            } else {
                log("Kafka: external at " + kafka);
            }

            if (withKeycloak) {
                log("Starting Keycloak on :" + ports.keycloak() + " (the first start takes about a minute) ...");
                EmbeddedKeycloak keycloak = EmbeddedKeycloak.start(ports.keycloak(), logs);
                track(keycloak);
                keycloakRealmUrl = keycloak.realmUrl();
            }

            if (!withServices) {
                return;
            }
            // The stack's own wiring wins over the launcher's environment; so do the per-service values
            // below (databases, Kafka, spool folders, pepper, bootstrap files), set after these.
            Map<String, String> wiring = new HashMap<>(Map.of(
                    "KEYWARD_INTERNAL_SECRET", secrets.getProperty("internal-secret"),
                    "KEYWARD_TOKEN_SERVICE_URL", "http://127.0.0.1:" + ports.tokenService()));
            // The iss of exchanged tokens: token-service signs it and every verifier expects it.
            wiring.put("KEYWARD_TOKEN_ISSUER", "http://127.0.0.1:" + ports.tokenService());
            if (keycloakRealmUrl != null) {
                // People sign in through the realm: token-service's API and /ui pages, audit-service's API.
                wiring.put("KEYWARD_OIDC_URL", keycloakRealmUrl);
                wiring.put("KEYWARD_OIDC_WEB_CLIENT_SECRET", "keyward-web-secret");
            }
            wiring.putAll(serviceEnv);
            Map<String, String> common = serviceSettings(System.getenv(), wiring);
            String marker = Leftovers.marker(home); // finds a service again if this launcher is killed hard

            log("Starting token-service on :" + ports.tokenService() + " ...");
            ServiceProcess token = ServiceProcess.builder("token-service").port(ports.tokenService()).logDir(logs).jvmArg(marker)
                    .env("KEYWARD_AUDIT_SERVICE_URL", "http://127.0.0.1:" + ports.auditService())
                    .database(pg.database("keyward_token")).kafka(kafka).env(common).env(spoolOf("token-service"))
                    .env("KEYWARD_PEPPER", secrets.getProperty("pepper"))
                    .env("KEYWARD_SIGNING_KEYS_SECRET", secrets.getProperty("signing-keys-secret"))
                    .env("KEYWARD_BOOTSTRAP_ORG", BOOTSTRAP_ORG)
                    .env("KEYWARD_BOOTSTRAP_TOKEN_FILE", adminTokenFile().toString())
                    .env("KEYWARD_BOOTSTRAP_OPERATOR_TOKEN_FILE", operatorTokenFile().toString())
                    // A dev stack: a local Keycloak (any issuer on http at 127.0.0.0/8) may act as a CI platform.
                    .env("KEYWARD_EXCHANGE_ISSUER_ALLOW_HTTP", "true")
                    .env("KEYWARD_EXCHANGE_ISSUER_ALLOWED_CIDRS", "127.0.0.0/8")
                    .start();
            track(token);
            services.put(token.module(), token);
            tokenServiceUrl = token.baseUrl();

            log("Starting repo-service on :" + ports.repoService() + " and audit-service on :" + ports.auditService() + " ...");
            ServiceProcess.Builder repoBuilder = ServiceProcess.builder("repo-service").port(ports.repoService()).logDir(logs).jvmArg(marker)
                    .database(pg.database("keyward_repo")).kafka(kafka).env(common).env(spoolOf("repo-service"))
                    .env("KEYWARD_REPOS_DIR", home.resolve("repos").toString());
            ServiceProcess.Builder auditBuilder = ServiceProcess.builder("audit-service").port(ports.auditService()).logDir(logs).jvmArg(marker)
                    .database(pg.database("keyward_audit")).kafka(kafka).env(common).env(spoolOf("audit-service"));
            ServiceProcess repo = repoBuilder.start();
            track(repo);
            services.put(repo.module(), repo);
            repoServiceUrl = repo.baseUrl();
            ServiceProcess audit = auditBuilder.start();
            track(audit);
            services.put(audit.module(), audit);
            auditServiceUrl = audit.baseUrl();
        } catch (IOException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    public Path home() {
        return home;
    }

    /** Where each service process writes its log ({@code <module>.log}). */
    public Path logDir() {
        return home.resolve("logs");
    }

    /** One service process by module name ({@code token-service}...), to stop, restart or pause it. */
    public ServiceProcess service(String module) {
        ServiceProcess service = services.get(module);
        if (service == null) {
            throw new IllegalArgumentException("no service " + module + " in this stack");
        }
        return service;
    }

    /** The embedded PostgreSQL server, to stop and restart it; fails when the stack uses an external one. */
    public EmbeddedPostgresServer postgres() {
        if (embeddedPostgres == null) {
            throw new IllegalStateException("this stack runs against an external PostgreSQL");
        }
        return embeddedPostgres;
    }

    /** The embedded Kafka broker, to stop and restart it; fails when the stack uses an external one. */
    public EmbeddedKafka kafka() {
        if (embeddedKafka == null) {
            throw new IllegalStateException("this stack runs against an external Kafka");
        }
        return embeddedKafka;
    }

    public Path adminTokenFile() {
        return home.resolve("admin-token");
    }

    /** The platform operator's key (creates, suspends and deletes orgs), mode 0600. */
    public Path operatorTokenFile() {
        return home.resolve("operator-token");
    }

    /** The Keycloak realm people sign in to, or null when the stack runs without Keycloak. */
    public String keycloakRealmUrl() {
        return keycloakRealmUrl;
    }

    public String tokenServiceUrl() {
        return tokenServiceUrl;
    }

    public String repoServiceUrl() {
        return repoServiceUrl;
    }

    public String auditServiceUrl() {
        return auditServiceUrl;
    }

    void printWelcome() throws IOException {
        if (!withServices) {
            System.out.println("\nKeyward's infrastructure is running (no services): PostgreSQL "
                    + (embeddedPostgres != null ? "on :" + embeddedPostgres.port() : "external")
                    + ", Kafka " + (embeddedKafka != null ? "on " + embeddedKafka.bootstrapServers() : "external")
                    + "; data and logs in " + home + ".\nPress Ctrl-C to stop.");
            return;
        }
        String token = Files.exists(adminTokenFile()) ? Files.readString(adminTokenFile()).trim() : "(missing)";
        String tokenFile = adminTokenFile().toString();
        String operator = Files.exists(operatorTokenFile()) ? Files.readString(operatorTokenFile()).trim() : "(missing)";
        System.out.println("""

                Keyward is running.
                  token-service  %s    (OpenAPI: %s/q/openapi)
                  repo-service   %s
                  audit-service  %s
                  data and logs  %s

                Org '%s' admin token (shown here, stored in %s with mode 0600):
                  %s

                Platform operator token (creates, suspends and deletes orgs; stored in %s):
                  %s

                Try it:
                  export KW=$(cat %s)
                  # 1. create a repository
                  curl -s -X POST %s/v1/repos -H "Authorization: Bearer $KW" -H 'content-type: application/json' -d '{"id":"team/hello"}'
                  # 2. create a token that can only read and push team/* for one day (its secret is shown once)
                  T=$(curl -s -X POST %s/v1/tokens -H "Authorization: Bearer $KW" -H 'content-type: application/json' \\
                       -d '{"name":"ci","kind":"repo","scopes":{"repos:team/*":["git:read","git:write"]},"expires_in":86400}' \\
                       | sed -E 's/.*"token":"([^"]+)".*/\\1/')
                  # 3. clone with it: git reads the key from the environment, so it is in no URL and not in .git/config
                  #    (./keyward auth setup-git makes the CLI git's credential helper for good: README.md's walk-through)
                  KEYWARD_TOKEN=$T git -c 'credential.helper=!f() { echo username=keyward; echo "password=$KEYWARD_TOKEN"; }; f' clone http://127.0.0.1:%d/%s/team/hello.git

                %s
                Press Ctrl-C to stop; data is kept for the next start.
                """.formatted(tokenServiceUrl, tokenServiceUrl, repoServiceUrl, auditServiceUrl, home,
                BOOTSTRAP_ORG, tokenFile, token, operatorTokenFile(), operator, tokenFile, repoServiceUrl, tokenServiceUrl, ports.repoService(), BOOTSTRAP_ORG, keycloakNotes()));
    }

    private String keycloakNotes() {
        if (keycloakRealmUrl == null) {
            return "";
        }
        return """
                Keycloak (realm 'keyward'): %s   admin console: %s/admin (admin/admin)
                  sign in to the token pages: %s/ui   or from a terminal: ./keyward login
                  demo users (password = user name): alice (org-admin, org demo), bob (org-member, org demo),
                  mallory (org-admin, org other); CI client 'keyward-ci' (secret keyward-ci-secret)
                """.formatted(keycloakRealmUrl, keycloakRealmUrl.replace("/realms/keyward", ""), tokenServiceUrl);
    }

    @Override
    public synchronized void close() {
        closed = true;
        for (int i = started.size() - 1; i >= 0; i--) {
            try {
                started.get(i).close();
            } catch (Exception e) {
                System.err.println("while stopping: " + e.getMessage());
            }
        }
        started.clear();
        services.clear();
    }

    /**
     * The pepper, internal secret and signing-keys secret are made once per data folder so restarts
     * keep every token (and every stored signing key) valid; one a newer version added is made on its first start.
     */
    private Properties secrets() throws IOException {
        Path file = home.resolve("secrets.properties");
        Properties p = new Properties();
        boolean exists = Files.exists(file);
        if (exists) {
            try (InputStream in = Files.newInputStream(file)) {
                p.load(in);
            }
        }
        boolean added = false;
        for (String name : List.of("pepper", "internal-secret", "signing-keys-secret")) {
            if (p.getProperty(name) == null) {
                p.setProperty(name, randomSecret());
                added = true;
            }
        }
        if (!added) {
            return p;
        }
        if (!exists) {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        }
        try (OutputStream out = Files.newOutputStream(file)) {
            p.store(out, "Keyward local stack secrets: keep private");
        }
        return p;
    }

    /** 256 random bits, URL-safe Base64: a pepper or a shared secret for a stack of one's own. */
    public static String randomSecret() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static void log(String line) {
        System.err.println(line);
    }

    /** Creates the service databases on the chosen server. */
    private record PostgresAccess(String host, int port, String user, String password, EmbeddedPostgresServer embedded) {

        static PostgresAccess external(URI uri) {
            PostgresConnection c = PostgresConnection.external(uri, "postgres");
            return new PostgresAccess(c.host(), c.port(), c.username(), c.password(), null);
        }

        PostgresConnection database(String name) {
            if (embedded != null) {
                embedded.createDatabase(name);
            } else {
                createExternal(name);
            }
            return new PostgresConnection(host, port, name, user, password);
        }

        private void createExternal(String name) {
            String url = "jdbc:postgresql://" + host + ":" + port + "/postgres";
            try (java.sql.Connection c = java.sql.DriverManager.getConnection(url, user, password);
                 java.sql.Statement s = c.createStatement();
                 java.sql.ResultSet rs = s.executeQuery("select 1 from pg_database where datname = '" + name + "'")) {
                if (!rs.next()) {
                    s.execute("create database " + name);
                }
            } catch (java.sql.SQLException e) {
                throw new IllegalStateException("cannot prepare database " + name + " on the external PostgreSQL: " + e.getMessage(), e);
            }
        }
    }
}
