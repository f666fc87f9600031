package dev.keyward.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.keyward.contract.ApiKeyFormat;
import dev.keyward.contract.TokenKind;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The command line in process: parsing, exit codes and where output goes, for everything that needs
 * no running service. The end-to-end ITs run the packaged jar against the real services.
 */
class CommandLineTests {

    @TempDir
    Path config;

    private final Map<String, String> env = new HashMap<>();

    record Result(int exit, String out, String err) {
    }

    @BeforeEach
    void isolatedConfig() {
        env.put("XDG_CONFIG_HOME", config.toString());
        env.put("HOME", config.toString());
    }

    private Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = KeywardCommand.commandLine(env, Clock.systemUTC(), new PrintWriter(out), new PrintWriter(err)).execute(args);
        return new Result(exit, out.toString(), err.toString());
    }

    @Test
    void helpListsTheCommandsAndTheExitCodes() {
        Result r = run("--help");

        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("token", "trust", "repo", "audit", "org", "login", "health", "completion")
                .contains("Exit codes:", "3  not signed in", "5  cannot reach");
    }

    @Test
    void everySubcommandHasHelp() {
        for (String[] cmd : new String[][] {{"token", "create"}, {"token", "list"}, {"token", "rotate"}, {"repo", "delete"},
                {"repo", "log"}, {"repo", "show"}, {"repo", "cat"},
                {"audit", "export"}, {"audit", "events"}, {"login"}, {"health"}, {"whoami"}, {"org", "create"},
                {"org", "delete"}, {"org", "policy", "set"}, {"org", "notifications", "set"}, {"org", "notifications", "test"},
                {"auth", "status"}, {"auth", "token"}, {"auth", "setup-git"}, {"auth", "git-credential"}, {"token", "exchange"},
                {"trust", "create"}, {"trust", "list"}, {"trust", "show"}, {"trust", "delete"}}) {
            String[] args = java.util.Arrays.copyOf(cmd, cmd.length + 1);
            args[cmd.length] = "--help";
            Result r = run(args);
            assertThat(r.exit()).as(String.join(" ", cmd)).isZero();
            assertThat(r.out()).as(String.join(" ", cmd)).startsWith("Usage: keyward " + String.join(" ", cmd));
        }
    }

    /** One run of the process builds only the command it names (picocli's model building is most of the start-up). */
    @Test
    void aRunBuildsOnlyTheCommandItNamesAndBehavesTheSame() throws IOException {
        assertThat(KeywardCommand.needed(new String[] {"token", "list"})).containsExactly(dev.keyward.cli.command.TokenCommand.class);
        assertThat(KeywardCommand.needed(new String[] {"--url", "http://x", "--json", "repo", "list"}))
                .containsExactly(dev.keyward.cli.command.RepoCommand.class);
        assertThat(KeywardCommand.needed(new String[] {"--version"})).isEmpty();
        for (String[] whole : new String[][] {{}, {"--help"}, {"help", "token"}, {"completion", "fish"}, {"tokne", "list"}}) {
            assertThat(KeywardCommand.needed(whole)).as(String.join(" ", whole)).hasSizeGreaterThan(10);
        }

        env.put("KEYWARD_TOKEN", ApiKeyFormat.generate(ApiKeyFormat.Environment.DEV, TokenKind.ORG));
        String url = "http://127.0.0.1:" + closedPort();
        Result call = runAsProcessDoes("token", "list", "--url", url);
        assertThat(call.exit()).isEqualTo(ExitCode.UNREACHABLE);
        assertThat(call.err()).isEqualTo(run("token", "list", "--url", url).err());
        assertThat(runAsProcessDoes("--version").out()).startsWith("keyward ");
        Result typo = runAsProcessDoes("tokne", "list");
        assertThat(typo.exit()).isEqualTo(ExitCode.USAGE);
        assertThat(typo.err()).isEqualTo(run("tokne", "list").err());
        assertThat(runAsProcessDoes("token", "create", "--help").out()).isEqualTo(run("token", "create", "--help").out());
    }

    private Result runAsProcessDoes(String... args) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        StringWriter err = new StringWriter();
        CommandLine cl = KeywardCommand.commandLine(env, Clock.systemUTC(), java.io.InputStream.nullInputStream(), out,
                new PrintWriter(err), args);
        int exit = cl.execute(args);
        cl.getOut().flush();
        return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString());
    }

    @Test
    void withoutCredentialsACallSaysHowToSignInAndExitsWith3() {
        Result r = run("token", "list");

        assertThat(r.exit()).isEqualTo(ExitCode.NOT_AUTHENTICATED);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).contains("not signed in").contains("keyward login").contains("KEYWARD_TOKEN");
    }

    @Test
    void anUnreachableServiceExitsWith5AndNamesTheUrlFromAFlagGivenAfterTheSubcommand() throws IOException {
        env.put("KEYWARD_TOKEN", ApiKeyFormat.generate(ApiKeyFormat.Environment.DEV, TokenKind.ORG));
        String url = "http://127.0.0.1:" + closedPort();

        Result r = run("token", "list", "--url", url);

        assertThat(r.exit()).isEqualTo(ExitCode.UNREACHABLE);
        assertThat(r.err()).contains("cannot reach token-service at " + url).contains("--url or KEYWARD_URL");
    }

    @Test
    void theEnvironmentNamesTheServices() throws IOException {
        env.put("KEYWARD_TOKEN", "kw_anything");
        String url = "http://127.0.0.1:" + closedPort();
        env.put("KEYWARD_REPO_URL", url);

        Result r = run("repo", "list");

        assertThat(r.exit()).isEqualTo(ExitCode.UNREACHABLE);
        assertThat(r.err()).contains("cannot reach repo-service at " + url);
    }

    @Test
    void badFlagsAreUsageErrorsWith2BeforeAnythingIsSent() {
        env.put("KEYWARD_TOKEN", "kw_anything");
        env.put("KEYWARD_URL", "http://127.0.0.1:1");

        Result scope = run("token", "create", "--name", "ci", "--scope", "repos:team/*=git:push");
        assertThat(scope.exit()).isEqualTo(ExitCode.USAGE);
        assertThat(scope.err()).contains("unknown permission 'git:push'").contains("keyward token create --help");

        Result kind = run("token", "create", "--name", "ci", "--kind", "user", "--scope", "repos:a=read");
        assertThat(kind.exit()).isEqualTo(ExitCode.USAGE);
        assertThat(kind.err()).contains("--kind must be repo or org");

        Result duration = run("token", "create", "--name", "ci", "--scope", "repos:a=read", "--expires-in", "1y");
        assertThat(duration.exit()).isEqualTo(ExitCode.USAGE);
        assertThat(duration.err()).contains("--expires-in").contains("'1y' is not a duration");

        Result repo = run("repo", "create", "../escape");
        assertThat(repo.exit()).isEqualTo(ExitCode.USAGE);

        Result unknown = run("tokne", "list");
        assertThat(unknown.exit()).isEqualTo(ExitCode.USAGE);
        assertThat(unknown.err()).contains("token");

        Result rotate = run("token", "rotate");
        assertThat(rotate.exit()).isEqualTo(ExitCode.USAGE);
        assertThat(rotate.err()).contains("TOKEN_ID or give --self");

        Result noSubcommand = run("audit");
        assertThat(noSubcommand.exit()).isEqualTo(ExitCode.USAGE);
    }

    @Test
    void deletingARepositoryWithoutATerminalNeedsYes() {
        env.put("KEYWARD_TOKEN", "kw_anything");

        Result r = run("repo", "delete", "team/hello");

        assertThat(r.exit()).isEqualTo(ExitCode.USAGE);
        assertThat(r.err()).contains("--yes");
    }

    @Test
    void orgCommandsRefuseBadFlagsWith2BeforeAnythingIsSent() {
        env.put("KEYWARD_TOKEN", "kw_anything");
        env.put("KEYWARD_URL", "http://127.0.0.1:1");

        Result nothing = run("org", "policy", "set", "team-blue");
        assertThat(nothing.exit()).isEqualTo(ExitCode.USAGE);
        assertThat(nothing.err()).contains("name at least one policy field").contains("keyward org policy set --help");

        Result ttl = run("org", "policy", "set", "team-blue", "--default-ttl", "1y");
        assertThat(ttl.exit()).isEqualTo(ExitCode.USAGE);
        assertThat(ttl.err()).contains("--default-ttl").contains("'1y' is not a duration");

        Result leak = run("org", "policy", "set", "team-blue", "--leak-action", "ignore");
        assertThat(leak.exit()).isEqualTo(ExitCode.USAGE);
        assertThat(leak.err()).contains("--leak-action").contains("block_and_revoke");

        Result bool = run("org", "policy", "set", "team-blue", "--allow-never-expiring", "maybe");
        assertThat(bool.exit()).isEqualTo(ExitCode.USAGE);

        Result count = run("org", "policy", "set", "team-blue", "--max-tokens-per-creator", "lots");
        assertThat(count.exit()).isEqualTo(ExitCode.USAGE);

        Result cidrs = run("org", "policy", "set", "team-blue", "--default-allowed-cidrs", "10.0.0.0/8,,");
        assertThat(cidrs.exit()).isEqualTo(ExitCode.USAGE);
        assertThat(cidrs.err()).contains("empty entry");

        Result notify = run("org", "notifications", "set", "team-blue");
        assertThat(notify.exit()).isEqualTo(ExitCode.USAGE);
        assertThat(notify.err()).contains("--contact-email, --webhook-url or --webhook-secret-stdin");

        Result removeWithSecret = run("org", "notifications", "set", "team-blue", "--webhook-url", "", "--webhook-secret-stdin");
        assertThat(removeWithSecret.exit()).isEqualTo(ExitCode.USAGE);

        Result secretAsArgument = run("org", "notifications", "set", "team-blue", "--webhook-secret", "s3cr3t-s3cr3t-s3cr3t");
        assertThat(secretAsArgument.exit()).as("no option takes the secret as an argument").isEqualTo(ExitCode.USAGE);

        assertThat(run("org").exit()).isEqualTo(ExitCode.USAGE);
        assertThat(run("org", "policy").exit()).isEqualTo(ExitCode.USAGE);
        assertThat(run("org", "create").exit()).isEqualTo(ExitCode.USAGE);
    }

    @Test
    void deletingAnOrgWithoutATerminalNeedsYes() {
        env.put("KEYWARD_TOKEN", "kw_anything");

        Result r = run("org", "delete", "team-blue");

        assertThat(r.exit()).isEqualTo(ExitCode.USAGE);
        assertThat(r.err()).contains("deleting an org cannot be undone").contains("--yes");
    }

    @Test
    void whoamiWithoutCredentialsExitsWith3() {
        assertThat(run("whoami").exit()).isEqualTo(ExitCode.NOT_AUTHENTICATED);
    }

    @Test
    void bashCompletionCoversTheSubcommands() {
        Result r = run("completion", "bash");

        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("complete -F").contains("keyward").contains("create").contains("--expires-in")
                .contains("notifications").contains("--max-tokens-per-creator").contains("block_and_revoke")
                .contains("git-credential").contains("setup-git");
        assertThat(run("completion", "tcsh").exit()).isEqualTo(ExitCode.USAGE);
    }

    /** fish: every command of the tree offered where its parent is typed, options with their values; fish -n when fish is here. */
    @Test
    void fishCompletionNamesEverySubcommandAndParses() throws Exception {
        Result r = run("completion", "fish");
        assertThat(r.exit()).isZero();
        String script = r.out();

        CommandLine root = KeywardCommand.commandLine(env, Clock.systemUTC(), new PrintWriter(new StringWriter()),
                new PrintWriter(new StringWriter()));
        List<String[]> commands = new java.util.ArrayList<>();
        collect(root, "", commands);
        assertThat(commands).hasSizeGreaterThan(40);
        for (String[] c : commands) {
            String parent = c[0];
            String name = c[1];
            String path = (parent + " " + name).strip();
            assertThat(script).as(path).contains("'" + path + "'")
                    .contains("complete -c keyward -n '__keyward_at" + (parent.isEmpty() ? "" : " " + parent) + "' -a '" + name + "'");
        }
        assertThat(script).contains("complete -c keyward -n '__keyward_at token create' -l 'expires-in' -x")
                .contains("-l 'leak-action' -x -a 'block block_and_revoke'")
                .contains("complete -c keyward -n '__keyward_at scan' -F")
                .contains("-l 'jq' -x");

        if (onPath("fish")) {
            Path file = config.resolve("keyward.fish");
            Files.writeString(file, script);
            Process fish = new ProcessBuilder("fish", "-n", file.toString()).redirectErrorStream(true).start();
            String output = new String(fish.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(fish.waitFor()).as(output).isZero();
        }
    }

    private static void collect(CommandLine command, String path, List<String[]> into) {
        command.getSubcommands().forEach((name, sub) -> {
            if (name.equals(sub.getCommandName())) {
                into.add(new String[] {path, name});
                collect(sub, (path + " " + name).strip(), into);
            }
        });
    }

    private static boolean onPath(String program) {
        return java.util.Arrays.stream(System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator))
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, program)));
    }

    @Test
    void configSetIsStoredOwnerOnlyAndWins() throws IOException {
        assertThat(run("config", "set", "audit_url", "http://audit.example:9").exit()).isZero();

        Path file = config.resolve("keyward/config.properties");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(run("config", "show").out()).contains("http://audit.example:9");
        assertThat(run("config", "set", "colour", "blue").exit()).isEqualTo(ExitCode.USAGE);
        assertThat(run("config", "unset", "audit_url").exit()).isZero();
        assertThat(run("config", "show").out()).doesNotContain("audit.example").contains("http://127.0.0.1:8083");
    }

    @Test
    void logoutWithoutASessionIsFine() {
        Result r = run("logout");

        assertThat(r.exit()).isZero();
        assertThat(r.err()).contains("Not signed in");
    }

    /**
     * token-service's listing and revocation at the wire, for what the CLI decides before and between
     * its calls: which token a key prefix names. The calls themselves are proven in LocalStackIT.
     */
    private static final class TokenListing implements AutoCloseable {
        final HttpServer server;
        final List<String> revoked = new CopyOnWriteArrayList<>();
        /** The query of each revocation ("" for none). */
        final List<String> revokeQueries = new CopyOnWriteArrayList<>();
        final AtomicInteger listings = new AtomicInteger();

        TokenListing(String... idsAndPrefixes) throws IOException {
            StringBuilder tokens = new StringBuilder();
            for (int i = 0; i < idsAndPrefixes.length; i += 2) {
                tokens.append(i == 0 ? "" : ",").append("{\"id\":\"").append(idsAndPrefixes[i])
                        .append("\",\"key_prefix\":\"").append(idsAndPrefixes[i + 1]).append("\",\"kind\":\"org\"}");
            }
            byte[] page = ("{\"tokens\":[" + tokens + "],\"next_page_token\":null}").getBytes(StandardCharsets.UTF_8);
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/v1/tokens", exchange -> {
                byte[] answer = page;
                if (exchange.getRequestMethod().equals("DELETE")) {
                    String id = exchange.getRequestURI().getPath().substring("/v1/tokens/".length());
                    String query = exchange.getRequestURI().getRawQuery();
                    revoked.add(id);
                    revokeQueries.add(query == null ? "" : query);
                    answer = ("{\"id\":\"" + id + "\",\"revoked\":true"
                            + ("cascade=true".equals(query) ? ",\"revoked_count\":4" : "") + "}").getBytes(StandardCharsets.UTF_8);
                } else {
                    listings.incrementAndGet();
                }
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, answer.length);
                exchange.getResponseBody().write(answer);
                exchange.close();
            });
            server.start();
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort();
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    /** As {@code npm token revoke}: a token is named by its id or by its key prefix, never by a guess. */
    @Test
    void revokeTakesAnIdOrAUniqueKeyPrefix() throws IOException {
        env.put("KEYWARD_TOKEN", ApiKeyFormat.generate(ApiKeyFormat.Environment.PROD, TokenKind.ORG));
        try (TokenListing api = new TokenListing("tok_a", "kw_prod_o_Ab3dEf7h", "tok_b", "kw_prod_o_Ab3dXy9z",
                "tok_c", "kw_dev_r_Qw8rTy2u")) {
            env.put("KEYWARD_URL", api.url());

            Result byPrefix = run("token", "revoke", "kw_prod_o_Ab3dE");
            assertThat(byPrefix.exit()).as(byPrefix.err()).isZero();
            assertThat(byPrefix.err()).contains("Revoked tok_a");
            // As 'token list' prints it, with the ellipsis; and the id as before, without a listing.
            assertThat(run("token", "revoke", "kw_prod_o_Ab3dXy9z…").exit()).isZero();
            int listingsSoFar = api.listings.get();
            assertThat(run("token", "revoke", "tok_c").exit()).isZero();
            assertThat(api.listings.get()).isEqualTo(listingsSoFar);
            assertThat(api.revoked).containsExactly("tok_a", "tok_b", "tok_c");

            Result ambiguous = run("token", "revoke", "tok_c", "kw_prod_o_Ab3d");
            assertThat(ambiguous.exit()).isEqualTo(ExitCode.USAGE);
            assertThat(ambiguous.err()).contains("ambiguous").contains("tok_a").contains("tok_b");
            Result unknown = run("token", "revoke", "kw_dev_r_Zz");
            assertThat(unknown.exit()).isEqualTo(ExitCode.NOT_FOUND);
            assertThat(unknown.err()).contains("no active token has key prefix kw_dev_r_Zz");
            // A whole key typed by mistake is matched by its prefix and never echoed.
            String key = "kw_prod_o_Ab3dEf7h" + "x".repeat(24) + "_abcdef";
            Result whole = run("token", "revoke", "kw_prod_o_Zb3dEf7h" + "x".repeat(24) + "_abcdef");
            assertThat(whole.exit()).isEqualTo(ExitCode.NOT_FOUND);
            assertThat(whole.err()).doesNotContain("x".repeat(24));
            assertThat(run("token", "revoke", key).exit()).isZero();
            // Nothing was revoked by a refused command, not even the id named before the ambiguous prefix.
            assertThat(api.revoked).containsExactly("tok_a", "tok_b", "tok_c", "tok_a");
        }
    }

    /** {@code --cascade} asks token-service to revoke what the token minted too, and says how many went. */
    @Test
    void revokeWithCascadeRevokesWhatTheTokenMinted() throws IOException {
        env.put("KEYWARD_TOKEN", ApiKeyFormat.generate(ApiKeyFormat.Environment.PROD, TokenKind.ORG));
        try (TokenListing api = new TokenListing("tok_a", "kw_prod_o_Ab3dEf7h", "tok_b", "kw_prod_o_Ab3dXy9z")) {
            env.put("KEYWARD_URL", api.url());

            Result byPrefix = run("token", "revoke", "--cascade", "kw_prod_o_Ab3dE");
            assertThat(byPrefix.exit()).as(byPrefix.err()).isZero();
            assertThat(byPrefix.err()).contains("Revoked tok_a and every token it minted: 4 revoked by this call.");
            Result json = run("token", "revoke", "tok_b", "--cascade", "--json");
            assertThat(json.exit()).as(json.err()).isZero();
            assertThat(json.out()).containsPattern("\"revoked_count\"\\s*:\\s*4");
            assertThat(run("token", "revoke", "tok_b").exit()).isZero();

            assertThat(api.revoked).containsExactly("tok_a", "tok_b", "tok_b");
            assertThat(api.revokeQueries).containsExactly("cascade=true", "cascade=true", "");
        }
        assertThat(run("token", "revoke", "--help").out()).contains("--cascade");
    }

    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
