package dev.keyward.localstack;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The stack's ports checked before anything starts: one that another process listens on is named,
 * with that process when it can be found, instead of a server failing half-way through the start.
 */
final class TakenPorts {

    private TakenPorts() {
    }

    /** One taken port: what the stack wanted it for and who holds it (when visible). */
    record Taken(String use, int port, OptionalLong holder) {

        String message() {
            String who = holder.isPresent()
                    ? "pid " + holder.getAsLong() + " (" + ProcessTable.name(holder.getAsLong()) + "; ps -p " + holder.getAsLong() + " -o args shows it)"
                    : "another process (not visible to this user; ss -ltnp as root names it)";
            return "Port " + port + " (" + use + ") is taken by " + who + ". Stop that process, or run with"
                    + " KEYWARD_PORTS=free to use free ports instead (they are printed).";
        }
    }

    /**
     * The ports of {@code portsByUse} that cannot be bound on 127.0.0.1, except those held by
     * {@code ignoredPids} (this data folder's leftovers, which are stopped before the start).
     */
    static List<Taken> find(Map<String, Integer> portsByUse, Set<Long> ignoredPids) {
        List<Taken> taken = new ArrayList<>();
        portsByUse.forEach((use, port) -> {
            if (!bindable(port)) {
                List<Long> holders = ProcessTable.listeners(port);
                if (holders.stream().noneMatch(ignoredPids::contains)) {
                    taken.add(new Taken(use, port, holders.isEmpty() ? OptionalLong.empty() : OptionalLong.of(holders.get(0))));
                }
            }
        });
        return taken;
    }

    private static boolean bindable(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true); // a port in TIME_WAIT is free for a listener
            socket.bind(new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
