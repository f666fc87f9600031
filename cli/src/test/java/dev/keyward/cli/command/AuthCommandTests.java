package dev.keyward.cli.command;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyward.cli.ExitCode;
import dev.keyward.cli.KeywardCommand;
import dev.keyward.contract.ApiKeyFormat;
import dev.keyward.contract.TokenKind;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code keyward auth ...} in process: the git credential protocol, {@code auth token}, {@code setup-git};
 * and once through the real {@code git}, which asks a launcher of this CLI for the password.
 */
class AuthCommandTests {

    private static final String KEY = ApiKeyFormat.generate(ApiKeyFormat.Environment.DEV, TokenKind.REPO);
    private static final String REPO_URL = "http://127.0.0.1:18082";
    private static final String GIT_REQUEST = "protocol=http\nhost=127.0.0.1:18082\npath=demo/team/hello.git\n\n";

    @TempDir
    Path home;

    record Result(int exit, String out, String err) {
    }

    private Result run(Map<String, String> extraEnv, String stdin, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Map<String, String> env = new HashMap<>(Map.of("XDG_CONFIG_HOME", home.toString(), "HOME", home.toString(),
                "KEYWARD_REPO_URL", REPO_URL));
        env.putAll(extraEnv);
        int exit = KeywardCommand.commandLine(env, Clock.systemUTC(),
                new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), new PrintWriter(out), new PrintWriter(err))
                .execute(args);
        Result r = new Result(exit, out.toString(), err.toString());
        assertThat(r.err()).doesNotContain(KEY);
        return r;
    }

    @Test
    void getAnswersTheKeyInUseForTheRepoServiceHost() {
        Result r = run(Map.of("KEYWARD_TOKEN", KEY), GIT_REQUEST, "auth", "git-credential", "get");

        assertThat(r.exit()).isEqualTo(ExitCode.OK);
        assertThat(r.out()).isEqualTo("username=keyward\npassword=" + KEY + "\n");
    }

    @Test
    void getAnswersNothingForAnotherHostOrProtocol() {
        for (String request : List.of("protocol=https\nhost=github.com\n\n", "protocol=http\nhost=127.0.0.1:18083\n\n",
                "protocol=https\nhost=127.0.0.1:18082\n\n", "host=127.0.0.1:18082\n")) {
            Result r = run(Map.of("KEYWARD_TOKEN", KEY), request, "auth", "git-credential", "get");

            assertThat(r.exit()).as(request).isEqualTo(ExitCode.OK);
            assertThat(r.out()).as(request).isEmpty();
        }
    }

    @Test
    void getAnswersNothingWithoutACredential() {
        Result r = run(Map.of(), GIT_REQUEST, "auth", "git-credential", "get");

        assertThat(r.exit()).isEqualTo(ExitCode.OK);
        assertThat(r.out()).isEmpty();
    }

    @Test
    void storeAndEraseReadTheRequestAndDoNothing() {
        for (String action : List.of("store", "erase")) {
            Result r = run(Map.of("KEYWARD_TOKEN", KEY), GIT_REQUEST.replace("\n\n", "\nusername=keyward\npassword=" + KEY + "\n"),
                    "auth", "git-credential", action);

            assertThat(r.exit()).as(action).isEqualTo(ExitCode.OK);
            assertThat(r.out()).as(action).isEmpty();
            assertThat(r.err()).as(action).isEmpty();
        }
        assertThat(run(Map.of(), "", "auth", "git-credential", "approve").exit()).isEqualTo(ExitCode.USAGE);
    }

    @Test
    void authTokenPrintsTheKeyAloneOrExits1() {
        Result r = run(Map.of("KEYWARD_TOKEN", KEY), "", "auth", "token");
        assertThat(r.exit()).isEqualTo(ExitCode.OK);
        assertThat(r.out()).isEqualTo(KEY + System.lineSeparator());

        Result none = run(Map.of(), "", "auth", "token");
        assertThat(none.exit()).isEqualTo(ExitCode.FAILED);
        assertThat(none.out()).isEmpty();
        assertThat(none.err()).contains("no credential in use").contains("keyward login");
    }

    @Test
    void setupGitDryRunPrintsTheGitConfigCommands() {
        Result r = run(Map.of(), "", "auth", "setup-git", "--dry-run");

        assertThat(r.exit()).isEqualTo(ExitCode.OK);
        List<String> lines = r.out().lines().toList();
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).isEqualTo("git config --global --replace-all credential." + REPO_URL + ".helper ''");
        assertThat(lines.get(1)).startsWith("git config --global --add credential." + REPO_URL + ".helper '!")
                .contains("java").endsWith(" auth git-credential --repo-url " + REPO_URL + "'");
        assertThat(lines.get(2)).isEqualTo("git config --global credential." + REPO_URL + ".useHttpPath false");

        Result other = run(Map.of(), "", "auth", "setup-git", "--dry-run", "--host", "https://git.example.com/");
        assertThat(other.out()).contains("credential.https://git.example.com.helper")
                .contains("--repo-url https://git.example.com'").doesNotContain(REPO_URL);
    }

    @Test
    void setupGitWritesTheGlobalConfig() throws Exception {
        Path global = home.resolve("gitconfig");
        Result r = run(Map.of("GIT_CONFIG_GLOBAL", global.toString()), "", "auth", "setup-git");

        assertThat(r.exit()).as(r.err()).isEqualTo(ExitCode.OK);
        assertThat(r.out()).contains("credential." + REPO_URL + ".helper=!");
        assertThat(git(Map.of("GIT_CONFIG_GLOBAL", global.toString()), null,
                "config", "--global", "--get-all", "credential." + REPO_URL + ".helper"))
                .isEqualTo("\n!" + AuthCommand.launcher() + " auth git-credential --repo-url " + REPO_URL + "\n");
    }

    /**
     * The real git, configured as setup-git does but with a launcher that runs this CLI from the test
     * classpath: {@code git credential fill} gets the password from the helper, and neither the global
     * config nor a {@code store} helper configured for every host ever holds the key.
     */
    @Test
    void gitFillsThePasswordFromTheHelper() throws Exception {
        Path global = home.resolve("gitconfig");
        Path launcher = home.resolve("keyward launcher.sh");
        Files.writeString(launcher, "#!/bin/sh\nexec " + AuthCommand.shellWord(Path.of(System.getProperty("java.home"), "bin", "java").toString())
                + " -cp " + AuthCommand.shellWord(System.getProperty("java.class.path")) + " dev.keyward.cli.Main \"$@\"\n");
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwx------"));
        Map<String, String> env = new HashMap<>(Map.of("GIT_CONFIG_GLOBAL", global.toString(), "GIT_CONFIG_NOSYSTEM", "1",
                "GIT_TERMINAL_PROMPT", "0", "HOME", home.toString(), "XDG_CONFIG_HOME", home.toString()));
        git(env, null, "config", "--global", "credential.helper", "store");
        for (List<String> command : AuthCommand.gitConfigCommands(REPO_URL, AuthCommand.shellWord(launcher.toString()))) {
            git(env, null, command.subList(1, command.size()).toArray(String[]::new));
        }
        env.put("KEYWARD_TOKEN", KEY);

        String filled = git(env, "protocol=http\nhost=127.0.0.1:18082\n", "credential", "fill");
        assertThat(filled).contains("username=keyward\n").contains("password=" + KEY + "\n");
        git(env, filled, "credential", "approve");

        String config = Files.readString(global);
        assertThat(config).contains("auth git-credential").doesNotContain(KEY);
        assertThat(home.resolve(".git-credentials")).doesNotExist();
        assertThat(git(env, "protocol=https\nhost=example.com\n", "credential", "fill", "--allow-failure")).doesNotContain(KEY);
    }

    /** Runs git with {@code env} added, {@code stdin} as its input; its standard output, or fails the test. */
    private static String git(Map<String, String> env, String stdin, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("git"));
        boolean allowFailure = List.of(args).contains("--allow-failure");
        List.of(args).stream().filter(a -> !a.equals("--allow-failure")).forEach(command::add);
        ProcessBuilder pb = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
        pb.environment().putAll(env);
        Process p = pb.start();
        try (var in = p.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int exit = p.waitFor();
        if (!allowFailure) {
            assertThat(exit).as("git " + String.join(" ", args)).isZero();
        }
        return out;
    }
}
