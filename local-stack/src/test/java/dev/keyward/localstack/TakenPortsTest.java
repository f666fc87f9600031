package dev.keyward.localstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A port another process listens on is named before anything starts, with that process and what to do. */
class TakenPortsTest {

    private static final long ME = ProcessHandle.current().pid();

    @Test
    void aTakenPortIsNamedWithItsProcessAndTheWayOut() throws Exception {
        try (ServerSocket other = listener()) {
            int port = other.getLocalPort();
            List<TakenPorts.Taken> taken = TakenPorts.find(Map.of("PostgreSQL", port), Set.of());

            assertThat(taken).singleElement().satisfies(t -> {
                assertThat(t.port()).isEqualTo(port);
                assertThat(t.holder()).hasValue(ME);
                assertThat(t.message()).contains("Port " + port + " (PostgreSQL) is taken by pid " + ME + " (java",
                        "KEYWARD_PORTS=free");
            });
        }
    }

    @Test
    void aPortHeldByThisDataFoldersLeftoverIsNotAConflict() throws Exception {
        try (ServerSocket leftover = listener()) {
            assertThat(TakenPorts.find(Map.of("Kafka", leftover.getLocalPort()), Set.of(ME))).isEmpty();
        }
    }

    @Test
    void aFreePortPasses() throws Exception {
        int port;
        try (ServerSocket closed = listener()) {
            port = closed.getLocalPort();
        }
        assertThat(TakenPorts.find(Map.of("token-service", port), Set.of())).isEmpty();
        assertThat(ProcessTable.listeners(port)).isEmpty();
    }

    private static ServerSocket listener() throws Exception {
        ServerSocket socket = new ServerSocket();
        socket.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
        return socket;
    }
}
