package dev.keyward.cli.command;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.keyward.cli.ExitCode;
import dev.keyward.cli.KeywardCommand;
import dev.keyward.contract.ApiKeyFormat;
import dev.keyward.contract.TokenKind;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code keyward repo log|show|cat} send and how they print what comes back, against
 * repo-service's content API at the wire (its answers as docs/api.md gives them); the calls
 * against the real service are proven in LocalStackIT.
 */
class RepoContentCommandTests {

    private static final String SHA1 = "1111111111111111111111111111111111111111";
    private static final String SHA2 = "2222222222222222222222222222222222222222";
    private static final String SHA3 = "3333333333333333333333333333333333333333";
    private static final byte[] BINARY = {(byte) 0x89, 'P', 'N', 'G', 0, (byte) 0xff, '\r', '\n', 0x1a};

    @TempDir
    Path config;

    private HttpServer server;
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final Map<String, String> env = new HashMap<>();

    record Result(int exit, byte[] out, String err) {
        String text() {
            return new String(out, StandardCharsets.UTF_8);
        }
    }

    @BeforeEach
    void repoServiceAtTheWire() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/v1/repos/team/app/", exchange -> {
            String uri = exchange.getRequestURI().getRawPath() + (exchange.getRequestURI().getRawQuery() == null ? ""
                    : "?" + exchange.getRequestURI().getRawQuery());
            requests.add(uri);
            byte[] body;
            String type = "application/json";
            int status = 200;
            if (uri.contains("/commits?") && !uri.contains("page_token")) {
                body = page(List.of(commit(SHA3, "Third\n\nwith a body"), commit(SHA2, "Second")), "next").getBytes(StandardCharsets.UTF_8);
            } else if (uri.contains("/commits?")) {
                body = page(List.of(commit(SHA1, "First")), null).getBytes(StandardCharsets.UTF_8);
            } else if (uri.startsWith("/v1/repos/team/app/commits/")) {
                body = (commit(SHA2, "Second\n\nThe body.").replaceFirst("}$", "") + ",\"stats\":{\"files\":2,\"additions\":3,\"deletions\":1},"
                        + "\"files\":[{\"path\":\"docs/manual.md\",\"old_path\":\"docs/guide.md\",\"status\":\"renamed\",\"additions\":3,"
                        + "\"deletions\":1,\"binary\":false},{\"path\":\"logo.png\",\"status\":\"added\",\"additions\":0,"
                        + "\"deletions\":0,\"binary\":true}],\"truncated\":false}").getBytes(StandardCharsets.UTF_8);
            } else if (uri.contains("/blob/") && !uri.endsWith("=nope")) {
                body = BINARY;
                type = "image/png";
            } else {
                status = 404;
                body = "{\"error\":\"not_found\",\"message\":\"no such thing\"}".getBytes(StandardCharsets.UTF_8);
            }
            exchange.getResponseHeaders().add("Content-Type", type);
            exchange.sendResponseHeaders(status, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        env.put("XDG_CONFIG_HOME", config.toString());
        env.put("HOME", config.toString());
        env.put("KEYWARD_TOKEN", ApiKeyFormat.generate(ApiKeyFormat.Environment.PROD, TokenKind.REPO));
        env.put("KEYWARD_REPO_URL", "http://127.0.0.1:" + server.getAddress().getPort());
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StringWriter err = new StringWriter();
        int exit = KeywardCommand.commandLine(env, Clock.systemUTC(), new ByteArrayInputStream(new byte[0]), out, new PrintWriter(err))
                .execute(args);
        return new Result(exit, out.toByteArray(), err.toString());
    }

    @Test
    void logFollowsPagesUpToTheLimitAndPrintsOneLinePerCommit() {
        Result r = run("repo", "log", "team/app", "--ref", "feature/x", "--path", "src/main", "--limit", "3");

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(requests).containsExactly(
                "/v1/repos/team/app/commits?ref=feature%2Fx&path=src%2Fmain&page_size=3",
                "/v1/repos/team/app/commits?ref=feature%2Fx&path=src%2Fmain&page_size=1&page_token=next");
        assertThat(r.text().lines().toList()).hasSize(4);
        assertThat(r.text()).contains("COMMIT", "AUTHOR").contains("333333333333").contains("Third").doesNotContain("with a body")
                .contains("Alice Example").contains("111111111111");
        assertThat(r.err()).contains("3 commits");

        requests.clear();
        Result limited = run("--json", "repo", "log", "team/app", "--limit", "2");
        assertThat(limited.text()).contains("\"sha\" : \"" + SHA3).contains("\"sha\" : \"" + SHA2).doesNotContain("\"sha\" : \"" + SHA1);
        assertThat(requests).as("the first page was enough").containsExactly("/v1/repos/team/app/commits?page_size=2");
    }

    @Test
    void showPrintsTheCommitAndItsFiles() {
        Result r = run("repo", "show", "team/app", "release/1.0");

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(requests).containsExactly("/v1/repos/team/app/commits/release/1.0");
        assertThat(r.text()).startsWith("commit " + SHA2 + "\n").contains("Parent:    " + SHA1)
                .contains("Author:    Alice Example <alice@example.com>  2026-01-02T10:00:00+01:00")
                .contains("    Second\n    \n    The body.").contains("docs/guide.md -> docs/manual.md").contains("+3")
                .contains("logo.png").contains("binary").contains("2 files changed, 3 insertions(+), 1 deletions(-)");
    }

    @Test
    void catWritesTheFilesBytesUnchanged() {
        Result r = run("repo", "cat", "team/app", "main", "assets/logo.png");

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo(BINARY);
        assertThat(requests).containsExactly("/v1/repos/team/app/blob/main?path=assets%2Flogo.png");
        assertThat(r.err()).isEmpty();
    }

    @Test
    void refusalsKeepTheirExitCodesAndBadArgumentsSendNothing() {
        requests.clear();
        assertThat(run("repo", "log", "../escape").exit()).isEqualTo(ExitCode.USAGE);
        assertThat(run("repo", "log", "team/app", "--limit", "0").exit()).isEqualTo(ExitCode.USAGE);
        assertThat(run("repo", "cat", "team/app", "main").exit()).isEqualTo(ExitCode.USAGE);
        assertThat(run("repo", "cat", "team/app", " ", "README.md").exit()).isEqualTo(ExitCode.USAGE);
        assertThat(requests).isEmpty();
        Result missing = run("repo", "cat", "team/app", "main", "nope");
        assertThat(missing.exit()).isEqualTo(ExitCode.NOT_FOUND);
        assertThat(missing.out()).isEmpty();
        assertThat(missing.err()).contains("not found: no such thing");
    }

    private static String page(List<String> commits, String next) {
        return "{\"commits\":[" + String.join(",", commits) + "],\"next_page_token\":" + (next == null ? "null" : "\"" + next + "\"") + "}";
    }

    private static String commit(String sha, String message) {
        String parent = sha.equals(SHA1) ? "" : "\"" + SHA1 + "\"";
        return "{\"sha\":\"" + sha + "\",\"parents\":[" + parent + "],\"author\":{\"name\":\"Alice Example\",\"email\":\"alice@example.com\","
                + "\"date\":\"2026-01-02T10:00:00+01:00\"},\"committer\":{\"name\":\"tok_1\",\"email\":\"acme@keyward\","
                + "\"date\":\"2026-01-02T09:00:00Z\"},\"message\":\"" + message.replace("\n", "\\n") + "\\n\",\"time\":\"2026-01-02T09:00:00Z\"}";
    }
}
