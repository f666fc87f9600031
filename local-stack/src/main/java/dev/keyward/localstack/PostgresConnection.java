package dev.keyward.localstack;

import java.net.URI;

/** Where and how to reach one database: what a service's {@code KEYWARD_DB_*} settings are made of. */
public record PostgresConnection(String host, int port, String database, String username, String password) {

    /** One database on the server of {@code uri} ({@code postgresql://user:password@host:port}). */
    public static PostgresConnection external(URI uri, String database) {
        String userInfo = uri.getUserInfo() == null ? "postgres:" : uri.getUserInfo();
        int colon = userInfo.indexOf(':');
        String user = colon < 0 ? userInfo : userInfo.substring(0, colon);
        String password = colon < 0 ? "" : userInfo.substring(colon + 1);
        return new PostgresConnection(uri.getHost(), uri.getPort() < 0 ? 5432 : uri.getPort(), database, user, password);
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://" + host + ":" + port + "/" + database;
    }

    public String reactiveUrl() {
        return "postgresql://" + host + ":" + port + "/" + database;
    }
}
