package dev.keyward.verification.quarkus;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ConnectException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.junit.jupiter.api.Test;

class BackendOutageTest {

    @Test
    void aRefusedOrLostConnectionAnywhereInTheCausesIsAnOutage() {
        assertThat(BackendOutage.isOutage(new IllegalStateException("tx", new ConnectException("Connection refused")))).isTrue();
        assertThat(BackendOutage.isOutage(new RuntimeException(new SQLTransientConnectionException("gone", "08006")))).isTrue();
        assertThat(BackendOutage.isOutage(new SQLException("terminating connection due to administrator command", "57P01"))).isTrue();
        RuntimeException composite = new RuntimeException("first", new IllegalStateException("rollback failed"));
        composite.addSuppressed(new ConnectException("Connection refused"));
        assertThat(BackendOutage.isOutage(composite)).isTrue();
    }

    @Test
    void aSocketTheServerClosedIsAnOutage() {
        assertThat(BackendOutage.isOutage(new RuntimeException(new java.net.SocketException("Connection reset")))).isTrue();
        assertThat(BackendOutage.isOutage(new IllegalStateException(new java.nio.channels.ClosedChannelException()))).isTrue();
        assertThat(BackendOutage.isOutage(new RuntimeException(io.vertx.core.net.impl.ConnectionBase.CLOSED_EXCEPTION))).isTrue();
        assertThat(BackendOutage.isOutage(new io.vertx.core.VertxException("Connection not open CLOSED"))).isTrue();
        // what the SQL client answers for a command on a connection PostgreSQL just cut (seen in a restart test)
        assertThat(BackendOutage.isOutage(new RuntimeException(new io.vertx.core.impl.NoStackTraceThrowable(
                "Connection is not active now, current status: CLOSED")))).isTrue();
        assertThat(BackendOutage.isOutage(new io.vertx.core.impl.NoStackTraceThrowable("Timeout"))).isFalse();
        assertThat(BackendOutage.isOutage(new io.vertx.core.VertxException("Invalid HTTP method"))).isFalse();
        assertThat(BackendOutage.isOutage(new java.io.IOException("No space left on device"))).isFalse();
    }

    @Test
    void otherFailuresAreNot() {
        assertThat(BackendOutage.isOutage(new NullPointerException())).isFalse();
        assertThat(BackendOutage.isOutage(new SQLException("duplicate key", "23505"))).isFalse();
        RuntimeException first = new RuntimeException();
        first.addSuppressed(new RuntimeException(first));
        assertThat(BackendOutage.isOutage(first)).isFalse();
    }
}
