package dev.keyward.localstack;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code ./keyward up}: its flags and environment, checked in full before anything is built or
 * started. The launcher runs {@code --check} first, so a typo costs a second, not a build.
 */
@Command(name = "keyward up", sortOptions = false, usageHelpWidth = 100,
        description = {
                "Starts PostgreSQL, Kafka and the three services on this machine (token-service :8081,"
                        + " repo-service :8082, audit-service :8083). Ctrl-C stops everything it started;"
                        + " data is kept for the next start."},
        footerHeading = "%nEnvironment:%n",
        footer = {
                "  KEYWARD_HOME      the data folder when --data is not given (default .keyward)",
                "  KEYWARD_PG_URL    an external PostgreSQL, postgresql://user:password@host:port",
                "  KEYWARD_KAFKA     an external Kafka, host:port[,host:port...]",
                "  KEYWARD_PORTS     'free' picks free ports instead of the documented ones (they are printed)",
                "  KEYWARD_*         any other setting (e.g. KEYWARD_JSON_LOGS=true) goes on to the services;",
                "                    the stack's own wiring (databases, Kafka, ports, secrets, URLs) wins"})
public final class UpCommand implements Callable<Integer> {

    /** What {@code --check} exits with after printing help: valid, but there is nothing to start. */
    public static final int HELP_SHOWN = 3;
    private static final Pattern HOST_PORT = Pattern.compile("[^\\s,:]+:\\d{1,5}");

    @Spec
    CommandSpec spec;

    @Option(names = "--data", paramLabel = "DIR", description = "Data and logs folder (default $KEYWARD_HOME or .keyward).")
    Path data;

    @Option(names = "--with-keycloak", description = "Also start a real Keycloak with the demo realm on :8180.")
    boolean withKeycloak;

    @Option(names = "--no-build", description = "Start from the existing build (./keyward skips its Maven build).")
    boolean noBuild;

    @Option(names = "--check", hidden = true,
            description = "Check the flags, the environment, the data folder and the ports, then exit (the launcher, before it builds).")
    boolean check;

    @Option(names = "--no-services", hidden = true,
            description = "PostgreSQL and Kafka only: the launcher's own start and stop tests, which need no service build.")
    boolean noServices;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "This text.")
    boolean help;

    private final Map<String, String> env;

    UpCommand(Map<String, String> env) {
        this.env = env;
    }

    /** Parses {@code args} against the real environment; returns the process's exit code. */
    public static int run(String... args) {
        return run(System.getenv(), new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
    }

    static int run(Map<String, String> env, PrintWriter out, PrintWriter err, String... args) {
        UpCommand up = new UpCommand(env);
        CommandLine cl = new CommandLine(up).setOut(out).setErr(err).setParameterExceptionHandler(UpCommand::shortUsageError);
        int exit = cl.execute(args);
        return up.check && cl.isUsageHelpRequested() ? HELP_SHOWN : exit;
    }

    @Override
    public Integer call() throws Exception {
        Path home = home().toAbsolutePath().normalize();
        LocalStack stack = new LocalStack(home, ports(), withKeycloak);
        if (noServices) {
            stack.infrastructureOnly();
        }
        PrintWriter err = spec.commandLine().getErr();
        if (check) {
            // Read-only: nothing is created or stopped before the launcher's build.
            OptionalLong running = RunLock.holder(home);
            if (running.isPresent()) {
                err.println(new RunLock.AlreadyRunning(running.getAsLong(), home).getMessage());
                return 1;
            }
            return portsFree(stack, new Leftovers(home).all(), err) ? 0 : 1;
        }

        RunLock lock;
        try {
            lock = RunLock.acquire(home);
        } catch (RunLock.AlreadyRunning e) {
            err.println(e.getMessage());
            return 1;
        }
        try {
            new Leftovers(home).stop(err::println);
            if (!portsFree(stack, List.of(), err)) {
                lock.close();
                return 1;
            }
        } catch (RuntimeException e) {
            err.println("Keyward did not start: " + e.getMessage());
            lock.close();
            return 1;
        }
        LocalStack.infrastructureLogsTo(stack.logDir());
        CountDownLatch stopped = new CountDownLatch(1);
        // Ctrl-C (SIGINT) and SIGTERM run this hook; SIGKILL cannot, which is what Leftovers are for.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.err.println("\nStopping Keyward ...");
            stack.close();
            try {
                lock.close();
            } catch (IOException e) {
                System.err.println("while stopping: " + e.getMessage());
            }
            stopped.countDown();
        }, "keyward-stop"));
        try {
            stack.start();
        } catch (RuntimeException e) {
            err.println("Keyward did not start: " + e.getMessage() + "\n(logs in " + stack.logDir() + ")");
            return 1;
        }
        stack.printWelcome();
        stopped.await();
        return 0;
    }

    /** Names every port another process holds (leftovers of this data folder aside: they are stopped first). */
    private boolean portsFree(LocalStack stack, List<ProcessHandle> leftovers, PrintWriter err) {
        Set<Long> ignored = leftovers.stream().map(ProcessHandle::pid).collect(Collectors.toSet());
        List<TakenPorts.Taken> taken = TakenPorts.find(stack.portsToListenOn(env), ignored);
        taken.forEach(t -> err.println(t.message()));
        return taken.isEmpty();
    }

    /** The data folder, checked; the external-server settings are checked here too, all before any start. */
    Path home() {
        Path home = data != null ? data : Path.of(env.getOrDefault("KEYWARD_HOME", ".keyward"));
        if (Files.exists(home) && !Files.isDirectory(home)) {
            throw invalid((data != null ? "--data " : "KEYWARD_HOME ") + home + " is a file, not a folder");
        }
        String pg = env.get("KEYWARD_PG_URL");
        if (pg != null && !pg.isBlank()) {
            URI uri;
            try {
                uri = URI.create(pg);
            } catch (IllegalArgumentException e) {
                throw invalid("KEYWARD_PG_URL is not a URL: " + e.getMessage());
            }
            if (!("postgresql".equals(uri.getScheme()) || "postgres".equals(uri.getScheme())) || uri.getHost() == null) {
                throw invalid("KEYWARD_PG_URL must look like postgresql://user:password@host:port");
            }
        }
        String kafka = env.get("KEYWARD_KAFKA");
        if (kafka != null && !kafka.isBlank() && !kafka.strip().matches(HOST_PORT + "(," + HOST_PORT + ")*")) {
            throw invalid("KEYWARD_KAFKA must look like host:port[,host:port...], not '" + kafka + "'");
        }
        return home;
    }

    /** KEYWARD_PORTS=free: any free ports instead of the documented ones (tests, several stacks on one machine). */
    LocalStack.Ports ports() {
        String ports = env.getOrDefault("KEYWARD_PORTS", "");
        if (ports.isBlank()) {
            return LocalStack.Ports.standard();
        }
        if (!ports.equals("free")) {
            throw invalid("KEYWARD_PORTS must be 'free' or unset, not '" + ports + "'");
        }
        return LocalStack.Ports.free();
    }

    /** A typo gets its message, picocli's "did you mean", the synopsis and where the rest is: not the whole help. */
    private static int shortUsageError(ParameterException e, String[] args) {
        CommandLine cl = e.getCommandLine();
        PrintWriter err = cl.getErr();
        err.println(e.getMessage());
        CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
        err.print("Usage: " + cl.getHelp().synopsis(0));
        err.println("Run ./keyward up --help for the flags and environment variables.");
        err.flush();
        return cl.getCommandSpec().exitCodeOnInvalidInput();
    }

    private ParameterException invalid(String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}
