package dev.keyward.cli.command;

import dev.keyward.cli.CliException;
import dev.keyward.cli.Context;
import dev.keyward.cli.ExitCode;
import dev.keyward.cli.config.Service;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code keyward auth ...}: the credential in use, handed to other tools. git gets it through its
 * credential-helper protocol, so no key is written into a remote URL, {@code .git/config} or git's own
 * credential store; a revoked or rotated key is simply no longer answered.
 */
@Command(name = "auth", mixinStandardHelpOptions = true,
        description = "The credential in use: what it is (status), and handing it to other tools: git (a credential helper) and scripts.",
        subcommands = {AuthStatusCommand.class, AuthCommand.Token.class, AuthCommand.SetupGit.class, AuthCommand.GitCredential.class})
public final class AuthCommand extends GroupCommand {

    /** The user name git presents; repo-service reads only the password (the key or access token). */
    static final String GIT_USERNAME = "keyward";

    @Command(name = "token", mixinStandardHelpOptions = true,
            description = {"Print the credential in use (KEYWARD_TOKEN, else the session's access token), alone on standard output.",
                    "  curl -H \"Authorization: Bearer $(keyward auth token)\" ..."})
    static final class Token implements Runnable {
        @Spec
        CommandSpec spec;

        @Override
        public void run() {
            Context ctx = Context.of(spec);
            String token = ctx.credentials().find().orElseThrow(() -> new CliException(ExitCode.FAILED,
                    "no credential in use", "run keyward login, or set KEYWARD_TOKEN to an API token"));
            ctx.out().println(token);
            ctx.out().flush();
        }
    }

    @Command(name = "git-credential", mixinStandardHelpOptions = true,
            description = {"git's credential helper (git help credential); 'keyward auth setup-git' configures it.",
                    "get: answers username=keyward and password=<the credential in use>, for the repo-service host only;",
                    "nothing when there is no credential. store and erase: nothing to do (git never keeps the key)."})
    static final class GitCredential implements Runnable {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "ACTION", description = "get, store or erase (git names it)")
        String action;

        @Override
        public void run() {
            Context ctx = Context.of(spec);
            if (!List.of("get", "store", "erase").contains(action)) {
                throw new ParameterException(spec.commandLine(), "ACTION is get, store or erase, not '" + action + "'");
            }
            Map<String, String> request = readRequest(ctx);
            if (!action.equals("get")
                    || !sameOrigin(ctx.settings().url(Service.REPO), request.get("protocol"), request.get("host"))) {
                return;
            }
            Optional<String> token;
            try {
                token = ctx.credentials().find();
            } catch (CliException e) {
                // An expired session: git then prompts; say why on stderr (git shows it), and never fail git.
                ctx.note("keyward: " + e.getMessage() + (e.hint() != null ? " (" + e.hint() + ")" : ""));
                return;
            }
            token.ifPresent(t -> {
                // The protocol's lines end in LF on every platform.
                ctx.out().print("username=" + GIT_USERNAME + "\npassword=" + t + "\n");
                ctx.out().flush();
            });
        }
    }

    @Command(name = "setup-git", mixinStandardHelpOptions = true,
            description = {"Make git ask keyward for the credential of the repo-service (git config --global):",
                    "  keyward auth setup-git && git clone http://127.0.0.1:8082/demo/team/hello.git"})
    static final class SetupGit implements Runnable {
        @Spec
        CommandSpec spec;

        @Option(names = "--host", paramLabel = "URL", description = "the git server's base URL; default: the repo-service URL")
        String host;

        @Option(names = "--dry-run", description = "print the git config commands instead of running them")
        boolean dryRun;

        @Override
        public void run() {
            Context ctx = Context.of(spec);
            String url = host != null ? baseUrl(host) : ctx.settings().url(Service.REPO);
            List<List<String>> commands = gitConfigCommands(url, launcher());
            if (dryRun) {
                commands.forEach(c -> ctx.out().println(String.join(" ", c.stream().map(AuthCommand::shellWord).toList())));
                ctx.out().flush();
                return;
            }
            for (List<String> command : commands) {
                runGit(ctx, command);
            }
            ctx.out().println(helperKey(url) + "=" + helperCommand(url, launcher()));
            ctx.out().println("credential." + url + ".useHttpPath=false");
            ctx.out().flush();
            ctx.note("git now asks keyward for the credential of " + url + " (KEYWARD_TOKEN, else the session of keyward login).");
        }

        private String baseUrl(String value) {
            try {
                URI uri = new URI(value);
                if (!("http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme())) || uri.getHost() == null) {
                    throw new ParameterException(spec.commandLine(), "--host: an http(s) URL, e.g. https://git.example.com, not '" + value + "'");
                }
            } catch (URISyntaxException e) {
                throw new ParameterException(spec.commandLine(), "--host: not a URL: '" + value + "'");
            }
            return value.endsWith("/") ? value.substring(0, value.length() - 1) : value;
        }
    }

    /**
     * The {@code git config --global} commands that make git ask keyward for {@code url}'s credential by
     * running {@code launcher} (a shell command that starts this CLI). The empty helper first clears any
     * helper configured for every host (such as {@code store}), which git would otherwise hand the key to.
     */
    static List<List<String>> gitConfigCommands(String url, String launcher) {
        return List.of(
                List.of("git", "config", "--global", "--replace-all", helperKey(url), ""),
                List.of("git", "config", "--global", "--add", helperKey(url), helperCommand(url, launcher)),
                List.of("git", "config", "--global", "credential." + url + ".useHttpPath", "false"));
    }

    private static String helperKey(String url) {
        return "credential." + url + ".helper";
    }

    /** The helper, bound to {@code url}: it answers for that host even when the CLI's settings change. */
    static String helperCommand(String url, String launcher) {
        return "!" + launcher + " auth git-credential --repo-url " + shellWord(url);
    }

    /** How git re-invokes this CLI: {@code java -jar} the running jar (or its classpath when not run from a jar). */
    static String launcher() {
        String java = shellWord(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        CodeSource source = ScanCommand.class.getProtectionDomain().getCodeSource();
        try {
            Path code = source == null ? null : Path.of(source.getLocation().toURI());
            if (code != null && Files.isRegularFile(code)) {
                return java + " -jar " + shellWord(code.toString());
            }
        } catch (URISyntaxException e) {
            // not a file: fall through to the classpath
        }
        return java + " -cp " + shellWord(System.getProperty("java.class.path")) + " dev.keyward.cli.Main";
    }

    private static final Pattern PLAIN_WORD = Pattern.compile("[A-Za-z0-9_./:@%+=,-]+");

    /** {@code value} as one word for a POSIX shell (git runs a "!" helper through sh). */
    static String shellWord(String value) {
        return PLAIN_WORD.matcher(value).matches() ? value : "'" + value.replace("'", "'\\''") + "'";
    }

    /** git's request: {@code key=value} lines up to a blank line or the end of input. */
    private static Map<String, String> readRequest(Context ctx) {
        Map<String, String> request = new HashMap<>();
        try {
            BufferedReader reader = new BufferedReader(new InputStreamReader(ctx.in(), StandardCharsets.UTF_8));
            for (String line = reader.readLine(); line != null && !line.isEmpty(); line = reader.readLine()) {
                int eq = line.indexOf('=');
                if (eq > 0) {
                    request.putIfAbsent(line.substring(0, eq), line.substring(eq + 1));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read git's request", e);
        }
        return request;
    }

    /** Whether git's {@code protocol} and {@code host} ({@code name[:port]}) are those of {@code serviceUrl}. */
    static boolean sameOrigin(String serviceUrl, String protocol, String host) {
        if (protocol == null || host == null) {
            return false;
        }
        try {
            URI service = new URI(serviceUrl);
            URI asked = new URI(protocol + "://" + host);
            return service.getScheme() != null && service.getHost() != null
                    && service.getScheme().equalsIgnoreCase(asked.getScheme())
                    && service.getHost().equalsIgnoreCase(asked.getHost())
                    && port(service) == port(asked);
        } catch (URISyntaxException e) {
            return false;
        }
    }

    private static int port(URI uri) {
        if (uri.getPort() != -1) {
            return uri.getPort();
        }
        return "https".equals(uri.getScheme().toLowerCase(Locale.ROOT)) ? 443 : 80;
    }

    private static void runGit(Context ctx, List<String> command) {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        // The CLI's environment (HOME, GIT_CONFIG_GLOBAL) decides which global config git writes.
        pb.environment().putAll(ctx.settings().env());
        try {
            Process git = pb.start();
            String output = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (git.waitFor() != 0) {
                throw CliException.failed("git config failed: " + output, "check that git works: git config --global --list");
            }
        } catch (IOException e) {
            throw CliException.failed("cannot run git: " + e.getMessage(), "setup-git needs git on the PATH");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw CliException.failed("interrupted", null);
        }
    }
}
