package dev.keyward.localstack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * What a hard-killed earlier {@code ./keyward up} of one data folder left running: its PostgreSQL
 * (zonky runs it in a session of its own, so it outlives the launcher) and its service processes.
 * Each is found by what it is, never by a pid alone: a PostgreSQL whose command line names this data
 * folder, a Java process carrying this stack's {@link #STACK_PROPERTY}.
 */
final class Leftovers {

    /** Every service process of a stack carries {@code -Dkeyward.stack=<data folder>}, so it can be found later. */
    static final String STACK_PROPERTY = "keyward.stack";

    private final Path home;

    Leftovers(Path home) {
        this.home = home.toAbsolutePath().normalize();
    }

    /** The argument that marks a service process as this stack's. */
    static String marker(Path home) {
        return "-D" + STACK_PROPERTY + "=" + home.toAbsolutePath().normalize();
    }

    /** The PostgreSQL server running on this stack's data, from the pid in its {@code postmaster.pid}. */
    Optional<ProcessHandle> postgres() {
        Path dataDir = LocalStack.postgresData(home);
        long pid;
        try {
            List<String> lines = Files.readAllLines(dataDir.resolve("postmaster.pid"));
            pid = lines.isEmpty() ? -1 : Long.parseLong(lines.get(0).strip());
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
        return ProcessHandle.of(pid).filter(p -> isPostgresOf(ProcessTable.arguments(pid), dataDir));
    }

    /** True for a command line {@code …/postgres … -D <dataDir> …}: the server of that data folder and nothing else. */
    static boolean isPostgresOf(List<String> args, Path dataDir) {
        if (args.isEmpty() || !Path.of(args.get(0)).getFileName().toString().equals("postgres")) {
            return false;
        }
        int d = args.indexOf("-D");
        return d >= 0 && d + 1 < args.size() && Path.of(args.get(d + 1)).toAbsolutePath().normalize().equals(dataDir);
    }

    /** This stack's service processes that are still running. */
    List<ProcessHandle> services() {
        List<ProcessHandle> found = new ArrayList<>();
        for (long pid : ProcessTable.withArgument(marker(home))) {
            if (pid != ProcessHandle.current().pid()) {
                ProcessHandle.of(pid).ifPresent(found::add);
            }
        }
        return found;
    }

    /** Every leftover process: services first (they are PostgreSQL's clients), then PostgreSQL. */
    List<ProcessHandle> all() {
        List<ProcessHandle> all = new ArrayList<>(services());
        postgres().ifPresent(all::add);
        return all;
    }

    /** Stops every leftover, saying what it stops; fails when one does not go away. */
    void stop(Consumer<String> log) {
        for (ProcessHandle service : services()) {
            log.accept("Stopping a service left running by an earlier run (pid " + service.pid() + ") ...");
            require(ProcessTable.stop(service, "TERM", Duration.ofSeconds(15)), service);
        }
        Optional<ProcessHandle> postgres = postgres();
        if (postgres.isPresent()) {
            log.accept("Stopping PostgreSQL left running by an earlier run (pid " + postgres.get().pid() + ") ...");
            // SIGINT is PostgreSQL's fast shutdown; SIGTERM would wait for every client to disconnect.
            require(ProcessTable.stop(postgres.get(), "INT", Duration.ofSeconds(20)), postgres.get());
        }
    }

    private static void require(boolean stopped, ProcessHandle process) {
        if (!stopped) {
            throw new IllegalStateException("process " + process.pid() + " from an earlier run does not stop; stop it, then start again");
        }
    }
}
