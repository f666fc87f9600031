package dev.keyward.localstack;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * What Linux's {@code /proc} says about other processes: their command lines, their names and which
 * one listens on a TCP port. Processes of other users are invisible to a non-root user; every lookup
 * then answers "unknown" rather than failing.
 */
final class ProcessTable {

    private static final Path PROC = Path.of("/proc");
    private static final String LISTEN = "0A";

    private ProcessTable() {
    }

    /** The command line of {@code pid}, one element per argument; empty when it is gone or not readable. */
    static List<String> arguments(long pid) {
        try {
            String raw = new String(Files.readAllBytes(PROC.resolve(Long.toString(pid)).resolve("cmdline")), StandardCharsets.UTF_8);
            List<String> args = new ArrayList<>(List.of(raw.split("\0")));
            args.removeIf(String::isEmpty);
            return args;
        } catch (IOException | SecurityException e) {
            return List.of();
        }
    }

    /** The short name of {@code pid}'s program ({@code /proc/<pid>/comm}), never its arguments (they may hold secrets). */
    static String name(long pid) {
        try {
            return Files.readString(PROC.resolve(Long.toString(pid)).resolve("comm")).strip();
        } catch (IOException | SecurityException e) {
            return "?";
        }
    }

    /** Every visible process with exactly {@code argument} on its command line. */
    static List<Long> withArgument(String argument) {
        return ProcessHandle.allProcesses()
                .map(ProcessHandle::pid)
                .filter(pid -> arguments(pid).contains(argument))
                .toList();
    }

    /**
     * The processes listening on TCP {@code port} (any address, IPv4 or IPv6), lowest pid first: the
     * socket's inode from {@code /proc/net/tcp*}, then who holds a descriptor of it (a forking server's
     * children share their parent's socket).
     */
    static List<Long> listeners(int port) {
        Set<String> inodes = new HashSet<>();
        String hexPort = String.format(Locale.ROOT, ":%04X", port);
        for (String table : List.of("tcp", "tcp6")) {
            try {
                for (String line : Files.readAllLines(PROC.resolve("net").resolve(table))) {
                    String[] f = line.strip().split("\\s+");
                    // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
                    if (f.length > 9 && f[1].endsWith(hexPort) && f[3].equals(LISTEN)) {
                        inodes.add("socket:[" + f[9] + "]");
                    }
                }
            } catch (IOException | SecurityException e) {
                // no such table (IPv6 off) or not readable: the other one may still answer
            }
        }
        if (inodes.isEmpty()) {
            return List.of();
        }
        return ProcessHandle.allProcesses()
                .map(ProcessHandle::pid)
                .filter(pid -> holdsAny(pid, inodes))
                .sorted()
                .toList();
    }

    private static boolean holdsAny(long pid, Set<String> sockets) {
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(PROC.resolve(Long.toString(pid)).resolve("fd"))) {
            for (Path fd : fds) {
                try {
                    if (sockets.contains(Files.readSymbolicLink(fd).toString())) {
                        return true;
                    }
                } catch (IOException e) {
                    // closed while we looked
                }
            }
        } catch (IOException | SecurityException e) {
            // another user's process, or gone
        }
        return false;
    }

    /**
     * Stops {@code process}: {@code signal} (a name such as {@code INT} or {@code TERM}), up to
     * {@code grace} for it to exit, then SIGKILL. True when it is gone.
     */
    static boolean stop(ProcessHandle process, String signal, Duration grace) {
        if (signal.equals("TERM")) {
            process.destroy();
        } else {
            send(process.pid(), signal);
        }
        if (awaitExit(process, grace)) {
            return true;
        }
        process.destroyForcibly(); // the handle knows the start time: a reused pid is not hit
        return awaitExit(process, Duration.ofSeconds(10));
    }

    private static void send(long pid, String signal) {
        try {
            new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(10, TimeUnit.SECONDS);
        } catch (IOException e) {
            throw new IllegalStateException("cannot run kill -" + signal + " " + pid, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static boolean awaitExit(ProcessHandle process, Duration timeout) {
        try {
            process.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            return !process.isAlive();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !process.isAlive();
        }
    }
}
