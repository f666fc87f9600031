package dev.keyward.cli;

import dev.keyward.cli.command.AuditCommand;
import dev.keyward.cli.command.AuthCommand;
import dev.keyward.cli.command.CompletionCommand;
import dev.keyward.cli.command.ConfigCommand;
import dev.keyward.cli.command.HealthCommand;
import dev.keyward.cli.command.LoginCommand;
import dev.keyward.cli.command.LogoutCommand;
import dev.keyward.cli.command.OrgCommand;
import dev.keyward.cli.command.RepoCommand;
import dev.keyward.cli.command.ScanCommand;
import dev.keyward.cli.command.TokenCommand;
import dev.keyward.cli.command.TrustCommand;
import dev.keyward.cli.command.WhoamiCommand;
import dev.keyward.cli.config.Service;
import dev.keyward.cli.config.Settings;
import dev.keyward.cli.output.JsonOutput;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Stack;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/** The {@code keyward} command: global options and the subcommands. */
@Command(name = "keyward",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Scoped, time-limited access tokens for code repositories: tokens, repositories, the audit trail and orgs.",
        footerHeading = "%nCredentials:%n",
        footer = {
                "  KEYWARD_TOKEN (an API token, for CI) wins over the session of 'keyward login'.",
                "  A CI job or pod without either: 'keyward token exchange' turns its OIDC token into a Keyward token.",
                "",
                "Exit codes:",
                "  0  done",
                "  1  refused or failed (HTTP 4xx/5xx, broken audit chain, unhealthy), or scan found keys",
                "  2  bad command line",
                "  3  not signed in, or the credentials were refused (401)",
                "  4  not found (404)",
                "  5  cannot reach a service or the identity provider"})
public final class KeywardCommand implements Runnable {

    /** The subcommands, in the order help lists them. */
    private static final List<Class<?>> SUBCOMMANDS = List.of(
            LoginCommand.class, LogoutCommand.class, WhoamiCommand.class, AuthCommand.class,
            TokenCommand.class, TrustCommand.class, RepoCommand.class, AuditCommand.class, OrgCommand.class, HealthCommand.class,
            ScanCommand.class, ConfigCommand.class, CompletionCommand.class, CommandLine.HelpCommand.class);
    /** Root options that take a value (keep in step with the options below), skipped when looking for the command named. */
    private static final Set<String> VALUED_OPTIONS = Set.of("--url", "--repo-url", "--audit-url", "--jq");

    private final Settings settings;
    private final Clock clock;
    private final InputStream in;
    private final OutputStream stdout;
    private Context context;
    /** {@code --json}: null when not given, "" for every field, else the field list. */
    private String jsonFields;
    private String jq;

    @Spec
    private CommandSpec spec;

    public KeywardCommand(Map<String, String> env, Clock clock) {
        this(env, clock, System.in);
    }

    public KeywardCommand(Map<String, String> env, Clock clock, InputStream in) {
        this(env, clock, in, System.out);
    }

    /** {@code stdout}: standard output as bytes, for what is not text ({@code keyward repo cat}). */
    public KeywardCommand(Map<String, String> env, Clock clock, InputStream in, OutputStream stdout) {
        this.settings = new Settings(env);
        this.clock = clock;
        this.in = in;
        this.stdout = stdout;
    }

    @Option(names = "--url", scope = ScopeType.INHERIT, paramLabel = "URL",
            description = "token-service base URL (env KEYWARD_URL; default http://127.0.0.1:8081)")
    void tokenUrl(String url) {
        settings.overrideUrl(Service.TOKEN, url);
    }

    @Option(names = "--repo-url", scope = ScopeType.INHERIT, paramLabel = "URL",
            description = "repo-service base URL (env KEYWARD_REPO_URL; default http://127.0.0.1:8082)")
    void repoUrl(String url) {
        settings.overrideUrl(Service.REPO, url);
    }

    @Option(names = "--audit-url", scope = ScopeType.INHERIT, paramLabel = "URL",
            description = "audit-service base URL (env KEYWARD_AUDIT_URL; default http://127.0.0.1:8083)")
    void auditUrl(String url) {
        settings.overrideUrl(Service.AUDIT, url);
    }

    @Option(names = "--json", scope = ScopeType.INHERIT, paramLabel = "FIELDS", arity = "0..1",
            parameterConsumer = JsonFieldsConsumer.class,
            description = {"machine-readable JSON on standard output instead of tables;",
                    "FIELDS (e.g. id,name,scopes) keeps only those fields"})
    void json(String fields) {
        jsonFields = fields == null ? "" : fields;
        checkJsonOutput();
    }

    @Option(names = "--jq", scope = ScopeType.INHERIT, paramLabel = "EXPR",
            description = "filter the JSON with a jq expression (implies --json); strings print without quotes")
    void jq(String expression) {
        this.jq = expression;
        checkJsonOutput();
    }

    // A bad field list or jq expression is a usage error before anything is sent.
    private void checkJsonOutput() {
        try {
            JsonOutput.of(jsonFields, jq);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    /**
     * {@code --json} takes FIELDS only when the next argument is a field list, and never a subcommand's
     * name, so {@code keyward --json token list} and {@code keyward token list --json id,name} both read as
     * meant; {@code --json=FIELDS} is the same.
     */
    static final class JsonFieldsConsumer implements CommandLine.IParameterConsumer {
        @Override
        public void consumeParameters(Stack<String> args, ArgSpec argSpec, CommandSpec commandSpec) {
            String next = args.isEmpty() ? null : args.peek();
            boolean fields = next != null && (next.isEmpty()
                    || JsonOutput.FIELD_LIST.matcher(next).matches() && !commandSpec.subcommands().containsKey(next));
            argSpec.setValue(fields ? args.pop() : "");
        }
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name a command, e.g. keyward token list");
    }

    /** The shared context, created on first use (after the options are parsed). */
    synchronized Context context() {
        if (context == null) {
            CommandLine cl = spec.commandLine();
            JsonOutput output = jsonFields != null || jq != null ? JsonOutput.of(jsonFields, jq) : null;
            context = new Context(settings, clock, in, stdout, cl.getOut(), cl.getErr(), output);
        }
        return context;
    }

    /**
     * A ready command line: output streams, the exit-code mapping of {@link CliException}, and
     * usage errors as exit code 2.
     */
    public static CommandLine commandLine(Map<String, String> env, Clock clock, PrintWriter out, PrintWriter err) {
        return commandLine(env, clock, System.in, out, err);
    }

    /** As {@link #commandLine(Map, Clock, PrintWriter, PrintWriter)}, reading standard input from {@code in}. */
    public static CommandLine commandLine(Map<String, String> env, Clock clock, InputStream in, PrintWriter out, PrintWriter err) {
        return commandLine(new KeywardCommand(env, clock, in), env, out, err);
    }

    /** A command line writing its text to {@code stdout} as UTF-8, and bytes ({@code repo cat}) unchanged. */
    public static CommandLine commandLine(Map<String, String> env, Clock clock, InputStream in, OutputStream stdout, PrintWriter err) {
        PrintWriter out = new PrintWriter(new OutputStreamWriter(stdout, StandardCharsets.UTF_8), true);
        return commandLine(new KeywardCommand(env, clock, in, stdout), env, out, err);
    }

    /**
     * The command line for running {@code args} once (the {@code keyward} process): only the subcommand
     * they name is built. picocli builds each command's model up front, which is most of the start-up;
     * help, completion and a line that names no known command get the whole tree.
     */
    public static CommandLine commandLine(Map<String, String> env, Clock clock, InputStream in, OutputStream stdout, PrintWriter err,
                                          String[] args) {
        PrintWriter out = new PrintWriter(new OutputStreamWriter(stdout, StandardCharsets.UTF_8), true);
        return commandLine(new KeywardCommand(env, clock, in, stdout), env, out, err, needed(args));
    }

    private static CommandLine commandLine(KeywardCommand command, Map<String, String> env, PrintWriter out, PrintWriter err) {
        return commandLine(command, env, out, err, SUBCOMMANDS);
    }

    /**
     * The subcommands running {@code args} needs: the one they name; none for {@code --version} alone;
     * every one for help, completion, or a line that names no known command (its error lists them).
     */
    static List<Class<?>> needed(String[] args) {
        boolean version = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (VALUED_OPTIONS.contains(arg)) {
                i++;
            } else if (arg.equals("-V") || arg.equals("--version")) {
                version = true;
            } else if (arg.equals("-h") || arg.equals("--help")) {
                return SUBCOMMANDS;
            } else if (!arg.startsWith("-")) {
                for (Class<?> c : SUBCOMMANDS) {
                    String name = c.getAnnotation(Command.class).name();
                    if (name.equals(arg)) {
                        return name.equals("help") || name.equals("completion") ? SUBCOMMANDS : List.of(c);
                    }
                }
                return SUBCOMMANDS;
            }
        }
        return version ? List.of() : SUBCOMMANDS;
    }

    private static CommandLine commandLine(KeywardCommand command, Map<String, String> env, PrintWriter out, PrintWriter err,
                                           List<Class<?>> subcommands) {
        CommandLine cl = new CommandLine(command);
        subcommands.forEach(cl::addSubcommand);
        cl.setOut(out);
        cl.setErr(err);
        // picocli's own exit code for a bad command line is already 2 (ExitCode.USAGE).
        boolean debug = "1".equals(env.get("KEYWARD_DEBUG"));
        cl.setParameterExceptionHandler((e, args) -> {
            CommandLine failed = e.getCommandLine();
            PrintWriter e2 = failed.getErr();
            e2.println("keyward: " + e.getMessage());
            CommandLine.UnmatchedArgumentException.printSuggestions(e, e2);
            if (e instanceof CommandLine.MissingParameterException && command.jsonFields != null && !command.jsonFields.isEmpty()) {
                e2.println("  --json took '" + command.jsonFields + "' as the fields to print: put --json after the arguments");
            }
            e2.println("  see '" + failed.getCommandSpec().qualifiedName() + " --help'");
            e2.flush();
            return ExitCode.USAGE;
        });
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            PrintWriter e2 = commandLine.getErr();
            if (e instanceof CliException c) {
                e2.println("keyward: " + c.getMessage());
                if (c.hint() != null) {
                    e2.println("  " + c.hint());
                }
                if (debug && c.getCause() != null) {
                    c.getCause().printStackTrace(e2);
                }
                e2.flush();
                return c.exitCode();
            }
            e2.println("keyward: unexpected failure: " + e);
            e2.println("  set KEYWARD_DEBUG=1 for details");
            if (debug) {
                e.printStackTrace(e2);
            }
            e2.flush();
            return ExitCode.FAILED;
        });
        return cl;
    }
}
