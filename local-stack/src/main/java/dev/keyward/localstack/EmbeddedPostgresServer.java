package dev.keyward.localstack;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A real PostgreSQL server started from the embedded binaries (no Docker), on a free port.
 * Databases are created on demand so that each service gets its own.
 */
public final class EmbeddedPostgresServer implements AutoCloseable {

    public static final String USER = "postgres";

    private final Path dataDir;
    private final int port;
    private EmbeddedPostgres postgres;

    private EmbeddedPostgresServer(Path dataDir, int port) {
        this.dataDir = dataDir;
        this.port = port;
    }

    /** A throwaway server whose data is deleted on close. */
    public static EmbeddedPostgresServer startTemporary() {
        return start(null, 0);
    }

    /**
     * A server keeping its data in {@code dataDir} across restarts (or a temporary one when null).
     *
     * @param port 0 for any free port
     */
    public static EmbeddedPostgresServer start(Path dataDir, int port) {
        EmbeddedPostgresServer server = new EmbeddedPostgresServer(dataDir, port);
        server.postgres = server.launch(port);
        return server;
    }

    private EmbeddedPostgres launch(int port) {
        try {
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setServerConfig("fsync", "off")
                    .setServerConfig("synchronous_commit", "off")
                    .setServerConfig("full_page_writes", "off")
                    .setServerConfig("max_connections", "300");
            if (port > 0) {
                builder.setPort(port);
            }
            if (dataDir != null) {
                builder.setDataDirectory(dataDir).setCleanDataDirectory(false);
            }
            return builder.start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start embedded PostgreSQL" + (port > 0 ? " on port " + port : "")
                    + (dataDir != null ? " with data in " + dataDir : "") + ": " + e.getMessage(), e);
        }
    }

    /**
     * Starts a {@link #stop() stopped} server again on the same port and data, as after a database
     * restart. Only for a server with a data directory (a temporary one has lost its data).
     */
    public synchronized void restart() {
        if (postgres != null) {
            return;
        }
        if (dataDir == null) {
            throw new IllegalStateException("a temporary server cannot be restarted");
        }
        postgres = launch(port);
    }

    /** Stops the server (clients lose their connections); the data stays for {@link #restart()}. */
    public synchronized void stop() {
        if (postgres == null) {
            return;
        }
        try {
            postgres.close();
        } catch (IOException e) {
            throw new IllegalStateException("cannot stop embedded PostgreSQL", e);
        }
        postgres = null;
    }

    public synchronized int port() {
        return postgres != null ? postgres.getPort() : port;
    }

    /** The server's pid (the first line of its {@code postmaster.pid}), or -1 when not running or its data is temporary. */
    public long pid() {
        if (dataDir == null) {
            return -1;
        }
        try {
            return Long.parseLong(java.nio.file.Files.readAllLines(dataDir.resolve("postmaster.pid")).get(0).trim());
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    public String host() {
        return "127.0.0.1";
    }

    /** Creates {@code database} if it does not exist yet. */
    public void createDatabase(String database) {
        if (!database.matches("[a-z_][a-z0-9_]*")) {
            throw new IllegalArgumentException("bad database name");
        }
        EmbeddedPostgres running;
        synchronized (this) {
            running = postgres;
        }
        if (running == null) {
            throw new IllegalStateException("PostgreSQL is stopped");
        }
        try (Connection c = running.getPostgresDatabase().getConnection();
             Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("select 1 from pg_database where datname = '" + database + "'")) {
                if (rs.next()) {
                    return;
                }
            }
            s.execute("create database " + database);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database " + database, e);
        }
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://" + host() + ":" + port() + "/" + database;
    }

    public String reactiveUrl(String database) {
        return "postgresql://" + host() + ":" + port() + "/" + database;
    }

    @Override
    public void close() {
        stop();
    }
}
