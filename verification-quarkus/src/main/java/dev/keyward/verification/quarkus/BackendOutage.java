package dev.keyward.verification.quarkus;

import jakarta.ws.rs.core.Response;
import java.net.ConnectException;
import java.net.SocketException;
import java.nio.channels.ClosedChannelException;
import java.sql.SQLException;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Tells a failure caused by an unreachable backing service (the database is down, restarting, or
 * dropped the connection) from a bug, so services answer it with 503 {@code unavailable} and a
 * {@code Retry-After} instead of 500: the request did not apply and may simply be sent again.
 * The shared {@link ApiErrorMapper} asks {@link #isOutage} before answering 500.
 */
public final class BackendOutage {

    /** SQLSTATE classes of a lost or refused connection: 08 (connection exception), 57P (server shutting down or starting). */
    private static final Pattern CONNECTION_SQLSTATE = Pattern.compile("(08|57P)[0-9A-Z]*");
    /** The reactive client's PgException ends its message with the SQLSTATE in parentheses. */
    private static final Pattern MESSAGE_SQLSTATE = Pattern.compile(".*\\((08|57P)[0-9A-Z]{2,3}\\)\\s*$", Pattern.DOTALL);
    private static final Set<String> CONNECTION_LOST = Set.of(
            "io.vertx.sqlclient.ClosedConnectionException",
            "org.hibernate.exception.JDBCConnectionException",
            "io.netty.channel.unix.Errors$NativeIoException"); // e.g. "recvAddress(..) failed: Connection reset by peer"
    /**
     * Vert.x's shared "Connection was closed", the pool's "Connection not open"/"Pool closed", and the
     * SQL client's "Connection is not active now, current status: CLOSED" (a command sent on a
     * connection the server just cut); plain VertxExceptions or stackless throwables, told by message.
     */
    private static final Pattern VERTX_CONNECTION_GONE = Pattern.compile(
            "Connection (was closed|not open|is not active now).*|Pool closed", Pattern.DOTALL);
    private static final Set<String> VERTX_MESSAGE_ONLY = Set.of(
            "io.vertx.core.VertxException", "io.vertx.core.impl.NoStackTraceThrowable");

    private BackendOutage() {
    }

    /** Whether anything in the failure's causes (and suppressed failures) says the backend was unreachable. */
    public static boolean isOutage(Throwable failure) {
        return isOutage(failure, Collections.newSetFromMap(new IdentityHashMap<>()));
    }

    private static boolean isOutage(Throwable t, Set<Throwable> seen) {
        if (t == null || !seen.add(t)) {
            return false;
        }
        // ClosedChannelException: a socket the server closed under a request (Netty's stackless one too)
        if (t instanceof ConnectException || t instanceof SocketException || t instanceof ClosedChannelException
                || CONNECTION_LOST.contains(t.getClass().getName())) {
            return true;
        }
        if (VERTX_MESSAGE_ONLY.contains(t.getClass().getName()) && t.getMessage() != null
                && VERTX_CONNECTION_GONE.matcher(t.getMessage()).matches()) {
            return true;
        }
        if (t instanceof SQLException sql && sql.getSQLState() != null && CONNECTION_SQLSTATE.matcher(sql.getSQLState()).matches()) {
            return true;
        }
        if ("io.vertx.pgclient.PgException".equals(t.getClass().getName()) && t.getMessage() != null
                && MESSAGE_SQLSTATE.matcher(t.getMessage()).matches()) {
            return true;
        }
        for (Throwable suppressed : t.getSuppressed()) {
            if (isOutage(suppressed, seen)) {
                return true;
            }
        }
        return isOutage(t.getCause(), seen);
    }

    /** 503 {@code {"error":"unavailable", ...}} with {@code Retry-After: 1}. */
    public static Response response() {
        Response json = KeywardAuthException.errorResponse(503, "unavailable",
                "a backing service is unavailable; the request was not applied, try again shortly");
        return Response.fromResponse(json).header("Retry-After", "1").build();
    }
}
