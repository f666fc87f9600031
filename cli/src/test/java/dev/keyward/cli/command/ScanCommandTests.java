package dev.keyward.cli.command;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keyward.cli.ExitCode;
import dev.keyward.cli.KeywardCommand;
import dev.keyward.contract.ApiKeyFormat;
import dev.keyward.contract.TokenKind;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code keyward scan} in process: files, directories and git history, exit codes, and that no key is ever printed whole. */
class ScanCommandTests {

    private static final String KEY = ApiKeyFormat.generate(ApiKeyFormat.Environment.PROD, TokenKind.ORG);
    private static final String DEV_KEY = ApiKeyFormat.generate(ApiKeyFormat.Environment.DEV, TokenKind.REPO);

    @TempDir
    Path config;
    @TempDir
    Path work;

    record Result(int exit, String out, String err) {

        /** Neither stream holds a whole key. */
        Result printsNoKey() {
            for (String key : List.of(KEY, DEV_KEY)) {
                assertThat(out).doesNotContain(key.substring(ApiKeyFormat.prefixOf(key).length()));
                assertThat(err).doesNotContain(key.substring(ApiKeyFormat.prefixOf(key).length()));
            }
            return this;
        }
    }

    private Result run(String... args) {
        return run(Map.of(), args);
    }

    private Result run(Map<String, String> extraEnv, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Map<String, String> env = new java.util.HashMap<>(Map.of("XDG_CONFIG_HOME", config.toString(), "HOME", config.toString()));
        env.putAll(extraEnv);
        int exit = KeywardCommand.commandLine(env, Clock.systemUTC(), new PrintWriter(out), new PrintWriter(err)).execute(args);
        return new Result(exit, out.toString(), err.toString()).printsNoKey();
    }

    /**
     * {@code --check} asks token-service ({@code POST /v1/leaks/check}, answered here by a loopback
     * stand-in that knows {@code KEY} as live) and marks each finding; the keys travel only in the
     * request body.
     */
    @Test
    void checkAsksWhetherEachKeyIsLive() throws Exception {
        write("a/.env", "KEYWARD_TOKEN=" + KEY + "\n");
        write("b/old.txt", "retired: " + DEV_KEY + "\n" + "again: " + KEY + "\n");
        List<JsonNode> asked = new java.util.concurrent.CopyOnWriteArrayList<>();
        ObjectMapper json = new ObjectMapper();
        com.sun.net.httpserver.HttpServer server = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/v1/leaks/check", exchange -> {
            JsonNode body = json.readTree(exchange.getRequestBody());
            asked.add(body);
            com.fasterxml.jackson.databind.node.ObjectNode answer = json.createObjectNode();
            com.fasterxml.jackson.databind.node.ArrayNode results = answer.putArray("results");
            body.path("tokens").forEach(t -> results.addObject().put("live", t.asText().equals(KEY)));
            byte[] bytes = json.writeValueAsBytes(answer);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
        try {
            Result r = run(Map.of("KEYWARD_TOKEN", ApiKeyFormat.generate(ApiKeyFormat.Environment.PROD, TokenKind.ORG),
                    "KEYWARD_URL", "http://127.0.0.1:" + server.getAddress().getPort()), "scan", "--check", work.toString());
            assertThat(r.exit()).isEqualTo(ExitCode.FAILED);
            assertThat(r.out()).contains(ApiKeyFormat.prefixOf(KEY) + "\u2026 (Keyward key, LIVE)")
                    .contains(ApiKeyFormat.prefixOf(DEV_KEY) + "\u2026 (Keyward key, not live)");
            assertThat(asked).hasSize(1);
            assertThat(asked.get(0).path("tokens")).hasSize(2); // each distinct key once
        } finally {
            server.stop(0);
        }
    }

    @Test
    void filesWithoutKeysExit0() throws IOException {
        Path clean = write("src/App.java", "class App { String k = \"kw_prod_o_notakey\"; }\n");

        Result r = run("scan", clean.toString(), work.toString());

        assertThat(r.exit()).isEqualTo(ExitCode.OK);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).contains("no Keyward keys found").contains("2 files scanned");
    }

    @Test
    void keysInFilesAndNestedDirectoriesArePrintedByPrefixFileAndLineAndExit1() throws IOException {
        write("app/config/.env", "# env\nREGION=eu\nKEYWARD_TOKEN=" + KEY + "\n");
        write("app/README.md", "no keys here\n");
        byte[] blob = new byte[5000];
        new Random(5).nextBytes(blob);
        System.arraycopy(DEV_KEY.getBytes(StandardCharsets.US_ASCII), 0, blob, 4000, DEV_KEY.length());
        Files.write(work.resolve("app/lib.bin"), blob);

        Result r = run("scan", work.resolve("app").toString());

        assertThat(r.exit()).isEqualTo(ExitCode.FAILED);
        assertThat(r.out()).contains(work.resolve("app/config/.env") + ":3: " + ApiKeyFormat.prefixOf(KEY) + "\u2026 (Keyward key)\n")
                .contains(work.resolve("app/lib.bin") + ":")
                .contains(ApiKeyFormat.prefixOf(DEV_KEY) + "\u2026 (Keyward key)");
        assertThat(r.out().lines()).hasSize(2);
        assertThat(r.err()).contains("2 Keyward keys found in 2 files (3 files scanned)").contains("keyward token revoke");
    }

    @Test
    void lookAlikesAreIgnoredAndCounted() throws IOException {
        char c = KEY.charAt(20);
        Path file = write("example.md", "KEYWARD_TOKEN=" + KEY.substring(0, 20) + (c == 'a' ? 'b' : 'a') + KEY.substring(21) + "\n");

        Result r = run("scan", file.toString());

        assertThat(r.exit()).isEqualTo(ExitCode.OK);
        assertThat(r.err()).contains("1 look-alike with a bad checksum ignored");
    }

    @Test
    void gitDirectoriesAreSkippedWithoutHistory() throws IOException {
        write("repo/.git/objects/loose", KEY);
        write("repo/file.txt", "fine\n");

        Result r = run("scan", work.resolve("repo").toString());

        assertThat(r.exit()).isEqualTo(ExitCode.OK);
        assertThat(r.err()).contains("1 file scanned");
    }

    @Test
    void jsonListsPrefixPathAndLine() throws IOException {
        Path file = write("a.txt", "x\n\n" + KEY);

        Result r = run("scan", "--json", file.toString());

        assertThat(r.exit()).isEqualTo(ExitCode.FAILED);
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertThat(json).hasSize(1);
        assertThat(json.get(0).get("prefix").asText()).isEqualTo(ApiKeyFormat.prefixOf(KEY));
        assertThat(json.get(0).get("path").asText()).isEqualTo(file.toString());
        assertThat(json.get(0).get("line").asInt()).isEqualTo(3);
        assertThat(json.get(0).has("commit")).isFalse();
    }

    @Test
    void usageErrorsExit2() {
        assertThat(run("scan").exit()).isEqualTo(ExitCode.USAGE);
        Result missing = run("scan", work.resolve("nope").toString());
        assertThat(missing.exit()).isEqualTo(ExitCode.USAGE);
        assertThat(missing.err()).contains("no such file or directory");
        Result notGit = run("scan", "--history", work.toString());
        assertThat(notGit.exit()).isEqualTo(ExitCode.USAGE);
        assertThat(notGit.err()).contains("--history needs a git repository");
    }

    @Test
    void historyFindsAKeyAddedThenDeletedInALaterCommit() throws Exception {
        Path repo = work.resolve("repo");
        Files.createDirectories(repo);
        git(repo, "init", "-q", "-b", "main");
        write("repo/README.md", "hello\n");
        git(repo, "add", ".");
        git(repo, "commit", "-q", "-m", "first");
        write("repo/deploy/ci.env", "A=1\nKEYWARD_TOKEN=" + KEY + "\n");
        git(repo, "add", ".");
        git(repo, "commit", "-q", "-m", "add ci settings");
        String leaking = git(repo, "rev-parse", "HEAD");
        git(repo, "rm", "-q", "deploy/ci.env");
        git(repo, "commit", "-q", "-m", "oops, remove the key");
        // On another branch, a key that never reached main.
        git(repo, "checkout", "-q", "-b", "topic");
        write("repo/notes.txt", "dev key " + DEV_KEY + "\n");
        git(repo, "add", ".");
        git(repo, "commit", "-q", "-m", "notes");
        String topic = git(repo, "rev-parse", "HEAD");
        git(repo, "checkout", "-q", "main");

        assertThat(run("scan", repo.toString()).exit()).as("the work tree is clean").isEqualTo(ExitCode.OK);

        Result r = run("scan", "--history", repo.toString());

        assertThat(r.exit()).isEqualTo(ExitCode.FAILED);
        assertThat(r.out()).contains(leaking.substring(0, 12) + ":deploy/ci.env:2: " + ApiKeyFormat.prefixOf(KEY) + "\u2026 (Keyward key)")
                .contains(topic.substring(0, 12) + ":notes.txt:1: " + ApiKeyFormat.prefixOf(DEV_KEY));
        assertThat(r.err()).contains("2 Keyward keys found in 2 blobs");

        JsonNode json = new ObjectMapper().readTree(run("scan", "--history", "--json", repo.toString()).out());
        assertThat(json).hasSize(2);
        assertThat(json.get(0).get("commit").asText()).isEqualTo(leaking);
        assertThat(json.get(0).get("path").asText()).isEqualTo("deploy/ci.env");
    }

    private Path write(String relative, String content) throws IOException {
        Path file = work.resolve(relative);
        Files.createDirectories(file.getParent());
        return Files.writeString(file, content);
    }

    private static String git(Path dir, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("git", "-C", dir.toString(), "-c", "user.name=test",
                "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(p.waitFor()).as(String.join(" ", args) + ": " + output).isZero();
        return output;
    }
}
