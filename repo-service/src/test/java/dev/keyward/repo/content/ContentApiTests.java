package dev.keyward.repo.content;

import static dev.keyward.testsupport.GitCli.expectOk;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keyward.events.EventType;
import dev.keyward.repo.TokenAuthority;
import dev.keyward.repo.TokenServiceTestResource;
import dev.keyward.testsupport.EventTap;
import dev.keyward.testsupport.GitCli;
import dev.keyward.testsupport.KafkaTestResource;
import dev.keyward.testsupport.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The content API against a repository built with the real git CLI (known authors and dates in
 * three time zones, a nested directory, a binary file, a rename, branches, an annotated and a
 * lightweight tag), with tokens from the real token-service: what the API answers is compared with
 * what {@code git log}, {@code git show}, {@code git ls-tree} and {@code git diff} say about the same
 * commits; API commits and merges are fetched back with git. Each write test has a branch of its own,
 * so the read tests always see the history below.
 * <pre>
 *   c1 - c2 (tag v1) - c3 (tag light) - c5     main (and its copies for the write tests)
 *                        \- c4                 feature/x
 *                        \- c6                 clash (changes README.md's line 2 as c4 does)
 * </pre>
 */
@QuarkusTest
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "keyward_repo"))
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(value = TokenServiceTestResource.class, restrictToAnnotatedClass = true)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ContentApiTests {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Branches the write tests move, each a copy of main at setup. */
    private static final List<String> WRITE_BRANCHES = List.of("api-commits", "stale", "race", "read-only", "merge-into",
            "protected");

    @TestHTTPResource("/")
    URL root;

    private final GitCli git = new GitCli();
    private TokenAuthority tokens;
    private EventTap events;
    private String ns;
    private String repo;
    private String otherRepo;
    private String emptyRepo;
    private String admin;
    private TokenAuthority.Issued reader;
    private TokenAuthority.Issued writer;
    private Path work;
    private byte[] logo;
    private String unreachable;

    @BeforeAll
    void seed() throws IOException {
        RestAssured.port = root.getPort();
        tokens = TokenServiceTestResource.api();
        events = new EventTap();
        ns = "content" + UUID.randomUUID().toString().substring(0, 6);
        repo = ns + "/app";
        otherRepo = "other" + ns + "/x";
        emptyRepo = ns + "/empty";
        admin = tokens.createOrgToken(Map.of("org", List.of("org:read"), "repos:*", List.of("git:write", "repo:write"))).token();
        for (String id : List.of(repo, otherRepo, emptyRepo)) {
            given().header("Authorization", "Bearer " + admin).contentType(ContentType.JSON).body(Map.of("id", id))
                    .post("/v1/repos").then().statusCode(201);
        }
        reader = tokens.createRepoToken(Map.of("repos:" + ns + "/*", List.of("git:read")));
        writer = tokens.createRepoToken(Map.of("repos:" + ns + "/*", List.of("git:write")));

        work = git.newDir("content");
        expectOk(git.run(work, "clone", url(admin, repo), "."));
        write("README.md", "# App\n\nline two\nline three\n");
        write("src/main/App.java", numbered("class App // line", 20));
        write("docs/guide.md", numbered("guide line", 10));
        commit("Alice Example", "alice@example.com", "2026-01-02T10:00:00+01:00", "Initial layout\n\nThree files to start with.");
        logo = new byte[300];
        new java.util.Random(7).nextBytes(logo);
        System.arraycopy(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 0}, 0, logo, 0, 6);
        Files.write(work.resolve("logo.png"), logo);
        write("src/main/App.java", numbered("class App // line", 20).replace("line 5\n", "line 5, tuned\n"));
        commit("Bob Example", "bob@example.com", "2026-01-03T11:30:00-05:00", "Add logo, tune App");
        expectOk(git.run(work, Map.of("GIT_COMMITTER_DATE", "2026-01-03T12:00:00Z"), "tag", "-a", "v1", "-m", "version 1"));
        expectOk(git.run(work, "mv", "docs/guide.md", "docs/manual.md"));
        commit("Alice Example", "alice@example.com", "2026-01-04T09:15:00+05:30", "Rename guide to manual");
        expectOk(git.run(work, "tag", "light"));
        expectOk(git.run(work, "checkout", "-q", "-b", "feature/x"));
        write("README.md", "# App\n\nfeature line\nline three\n");
        write("notes/todo.txt", "write the manual\n");
        commit("Carol Example", "carol@example.com", "2026-01-05T08:00:00Z", "Feature: readme and todo");
        expectOk(git.run(work, "checkout", "-q", "-b", "clash", "light"));
        write("README.md", "# App\n\nclash line\nline three\n");
        commit("Dave Example", "dave@example.com", "2026-01-05T09:00:00Z", "Clash on the readme");
        expectOk(git.run(work, "checkout", "-q", "-b", "gone", "light"));
        write("gone.txt", "soon unreachable\n");
        commit("Eve Example", "eve@example.com", "2026-01-05T10:00:00Z", "A commit no ref will reach");
        unreachable = rev("HEAD");
        expectOk(git.run(work, "checkout", "-q", "main"));
        write("src/main/App.java", numbered("class App // line", 20).replace("line 5\n", "line 5, tuned\n")
                .replace("line 15\n", "line 15, on main\n"));
        commit("Bob Example", "bob@example.com", "2026-01-06T16:45:00-08:00", "App: main change");
        List<String> push = new ArrayList<>(List.of("push", "-q", "origin", "main", "feature/x", "clash", "gone", "--tags"));
        WRITE_BRANCHES.forEach(b -> push.add("main:refs/heads/" + b));
        expectOk(git.run(work, push.toArray(String[]::new)));
        // The objects of "gone" stay in the repository with no ref reaching them.
        expectOk(git.run(work, "push", "-q", "origin", "--delete", "gone"));
    }

    @AfterAll
    void closeTap() {
        events.close();
    }

    // ---- reading: the API and git agree ----

    @Test
    void historyPagesAgreeWithGitLog() {
        List<JsonNode> api = new ArrayList<>();
        String token = null;
        int pages = 0;
        do {
            RequestSpecification request = as(reader.token()).queryParam("ref", "main").queryParam("page_size", 2);
            if (token != null) {
                request.queryParam("page_token", token);
            }
            JsonNode page = json(request.get(content("commits")), 200);
            page.path("commits").forEach(api::add);
            token = page.path("next_page_token").isNull() ? null : page.path("next_page_token").asText();
            pages++;
        } while (token != null);

        List<String[]> log = gitLog("main");
        assertThat(pages).isEqualTo(2);
        assertThat(api).hasSize(log.size()).hasSize(4);
        for (int i = 0; i < log.size(); i++) {
            String[] g = log.get(i);
            JsonNode c = api.get(i);
            assertThat(c.path("sha").asText()).isEqualTo(g[0]);
            assertThat(texts(c.path("parents"))).isEqualTo(g[1].isEmpty() ? List.of() : List.of(g[1].split(" ")));
            assertThat(c.path("author").path("name").asText()).isEqualTo(g[2]);
            assertThat(c.path("author").path("email").asText()).isEqualTo(g[3]);
            assertSameTime(c.path("author").path("date").asText(), g[4]);
            assertThat(c.path("committer").path("name").asText()).isEqualTo(g[5]);
            assertThat(c.path("committer").path("email").asText()).isEqualTo(g[6]);
            assertSameTime(c.path("committer").path("date").asText(), g[7]);
            assertThat(OffsetDateTime.parse(c.path("time").asText()).toInstant()).isEqualTo(OffsetDateTime.parse(g[7]).toInstant());
            assertThat(c.path("message").asText().strip()).isEqualTo(g[8].strip());
        }
        assertThat(api.get(3).path("message").asText()).isEqualTo("Initial layout\n\nThree files to start with.\n");
    }

    @Test
    void aPathFilterAgreesWithGitLogOnThatPath() {
        for (String path : List.of("src/main", "src/main/App.java", "docs", "logo.png", "no/such/path")) {
            JsonNode page = json(as(reader.token()).queryParam("ref", "main").queryParam("path", path).get(content("commits")), 200);
            List<String> expected = lines(expectOk(git.run(work, "log", "--format=%H", "main", "--", path)).output());
            assertThat(texts(page.path("commits"), "sha")).as(path).isEqualTo(expected);
        }
        // Without a ref: the default branch.
        JsonNode page = json(as(reader.token()).get(content("commits")), 200);
        assertThat(page.path("commits").get(0).path("sha").asText()).isEqualTo(rev("main"));
    }

    @Test
    void eachCommitsFilesAgreeWithGitShowNumstat() {
        for (String[] entry : gitLog("main")) {
            String sha = entry[0];
            JsonNode commit = json(as(reader.token()).get(content("commits/" + sha)), 200);
            Map<String, String> api = new HashMap<>();
            for (JsonNode f : commit.path("files")) {
                String counts = f.path("binary").asBoolean() ? "-\t-" : f.path("additions").asInt() + "\t" + f.path("deletions").asInt();
                String name = f.has("old_path") ? f.path("old_path").asText() + " => " + f.path("path").asText() : f.path("path").asText();
                api.put(name, counts + "\t" + f.path("status").asText());
            }
            Map<String, String> shown = numstat(expectOk(git.run(work, "show", "--numstat", "-z", "--format=", sha)).output());
            assertThat(api.keySet()).as(sha).isEqualTo(shown.keySet());
            shown.forEach((name, counts) -> assertThat(api.get(name)).as(sha + " " + name).startsWith(counts + "\t"));
            assertThat(commit.path("stats").path("files").asInt()).isEqualTo(shown.size());
        }
        // The rename and the binary file, spelled out.
        String renameCommit = gitLog("main").get(1)[0];
        JsonNode renamed = json(as(reader.token()).get(content("commits/" + renameCommit)), 200).path("files").get(0);
        assertThat(renamed.path("status").asText()).isEqualTo("renamed");
        assertThat(renamed.path("old_path").asText()).isEqualTo("docs/guide.md");
        JsonNode tagged = json(as(reader.token()).get(content("commits/v1")), 200);
        assertThat(tagged.path("sha").asText()).isEqualTo(rev("v1^{commit}"));
        assertThat(texts(tagged.path("files"), "path")).contains("logo.png");
    }

    @Test
    void treeListingsAgreeWithGitLsTree() {
        for (String path : List.of("", "src/main", "docs")) {
            RequestSpecification request = as(reader.token());
            if (!path.isEmpty()) {
                request.queryParam("path", path);
            }
            JsonNode tree = json(request.get(content("tree/main")), 200);
            List<String> api = new ArrayList<>();
            for (JsonNode e : tree.path("entries")) {
                api.add(e.path("mode").asText() + " " + e.path("type").asText() + " " + e.path("sha").asText() + " "
                        + (e.has("size") ? e.path("size").asText() : "-") + "\t" + e.path("path").asText());
            }
            List<String> lsTree = lines(expectOk(git.run(work, "ls-tree", "-l", "main", path.isEmpty() ? "." : path + "/")).output())
                    .stream().map(l -> l.replaceAll(" +", " ")).toList();
            assertThat(api).as(path).isEqualTo(lsTree);
            assertThat(tree.path("commit").asText()).isEqualTo(rev("main"));
        }
        assertThat(json(as(reader.token()).queryParam("path", "README.md").get(content("tree/main")), 404).path("error").asText())
                .isEqualTo("not_found");
    }

    @Test
    void blobsAreTheFilesBytesTypedByName() {
        Response png = as(reader.token()).queryParam("path", "logo.png").get(content("blob/main"));
        assertThat(png.statusCode()).isEqualTo(200);
        assertThat(png.asByteArray()).isEqualTo(logo);
        assertThat(png.contentType()).isEqualTo("image/png");
        assertThat(png.header("X-Content-Type-Options")).isEqualTo("nosniff");
        assertThat(png.header("Content-Security-Policy")).contains("sandbox");

        Response readme = as(reader.token()).queryParam("path", "README.md").get(content("blob/feature/x"));
        assertThat(readme.statusCode()).isEqualTo(200);
        assertThat(readme.asString()).isEqualTo("# App\n\nfeature line\nline three\n");
        assertThat(readme.contentType().replace(" ", "")).isEqualTo("text/markdown;charset=utf-8");
        // By tag, by full ref name, by commit id: the same file.
        for (String ref : List.of("v1", "refs/tags/v1", "refs/heads/main", rev("v1^{commit}"))) {
            assertThat(as(reader.token()).queryParam("path", "logo.png").get(content("blob/" + ref)).asByteArray()).as(ref).isEqualTo(logo);
        }
        Response unknownType = as(reader.token()).queryParam("path", "notes/todo.txt").get(content("blob/feature/x"));
        assertThat(unknownType.contentType().replace(" ", "")).isEqualTo("text/plain;charset=utf-8");
    }

    @Test
    void singleRangesAreServedAndUnsatisfiableOnesRefused() {
        Response part = as(reader.token()).header("Range", "bytes=2-9").queryParam("path", "logo.png").get(content("blob/main"));
        assertThat(part.statusCode()).isEqualTo(206);
        assertThat(part.header("Content-Range")).isEqualTo("bytes 2-9/300");
        assertThat(part.asByteArray()).isEqualTo(Arrays.copyOfRange(logo, 2, 10));

        Response tail = as(reader.token()).header("Range", "bytes=-5").queryParam("path", "logo.png").get(content("blob/main"));
        assertThat(tail.statusCode()).isEqualTo(206);
        assertThat(tail.asByteArray()).isEqualTo(Arrays.copyOfRange(logo, 295, 300));

        Response beyond = as(reader.token()).header("Range", "bytes=300-").queryParam("path", "logo.png").get(content("blob/main"));
        assertThat(beyond.statusCode()).isEqualTo(416);
        assertThat(beyond.header("Content-Range")).isEqualTo("bytes */300");

        Response several = as(reader.token()).header("Range", "bytes=0-1,5-6").queryParam("path", "logo.png").get(content("blob/main"));
        assertThat(several.statusCode()).as("several ranges: the whole file").isEqualTo(200);
        assertThat(several.asByteArray()).isEqualTo(logo);
    }

    @Test
    void aComparisonAgreesWithGitDiffThreeDot() {
        for (String range : List.of("main...feature/x", "feature/x...main", "v1...main", "light...clash")) {
            JsonNode compare = json(as(reader.token()).get(content("compare/" + range)), 200);
            assertThat(compare.path("merge_base").asText()).as(range)
                    .isEqualTo(expectOk(git.run(work, "merge-base", range.split("\\.\\.\\.")[0], range.split("\\.\\.\\.")[1])).output().strip());
            Map<String, String> api = new HashMap<>();
            Map<String, List<String>> apiLines = new HashMap<>();
            for (JsonNode f : compare.path("files")) {
                String name = f.has("old_path") ? f.path("old_path").asText() + " => " + f.path("path").asText() : f.path("path").asText();
                api.put(name, f.path("binary").asBoolean() ? "-\t-" : f.path("additions").asInt() + "\t" + f.path("deletions").asInt());
                if (!f.path("binary").asBoolean()) {
                    List<String> lines = new ArrayList<>();
                    f.path("hunks").forEach(h -> h.path("lines").forEach(l -> lines.add(l.asText())));
                    apiLines.put(f.path("path").asText(), lines);
                }
            }
            assertThat(api).as(range).isEqualTo(numstat(expectOk(git.run(work, "diff", "--numstat", "-z", range)).output()));
            String gitDiff = expectOk(git.run(work, "diff", range)).output();
            assertThat(apiLines).as(range).isEqualTo(hunkLines(gitDiff));

            // The unified diff, asked for either way, has the same hunks.
            Response diff = as(reader.token()).queryParam("format", "diff").get(content("compare/" + range));
            assertThat(diff.statusCode()).isEqualTo(200);
            assertThat(diff.contentType()).startsWith("text/x-diff");
            String unified = diff.asString();
            assertThat(unified).startsWith("diff --git a/");
            assertThat(hunkLines(unified)).as(range).isEqualTo(hunkLines(gitDiff));
            String accepted = as(reader.token()).accept("text/x-diff").get(content("compare/" + range)).then().statusCode(200)
                    .extract().asString();
            assertThat(accepted).isEqualTo(unified);
        }
    }

    @Test
    void refsAgreeWithGitForEachRef() {
        JsonNode refs = json(as(reader.token()).get(content("refs")), 200);
        assertThat(refs.path("default_branch").asText()).isEqualTo("main");
        Map<String, String> api = new HashMap<>();
        refs.path("branches").forEach(b -> api.put("refs/heads/" + b.path("name").asText(), b.path("sha").asText()));
        refs.path("tags").forEach(t -> api.put("refs/tags/" + t.path("name").asText(),
                t.path("sha").asText() + (t.has("tag_sha") ? " " + t.path("tag_sha").asText() : "")));
        Map<String, String> remote = new HashMap<>();
        for (String line : lines(expectOk(git.run(work, "ls-remote", url(admin, repo), "refs/heads/*", "refs/tags/*")).output())) {
            String[] f = line.split("\t");
            if (f[1].endsWith("^{}")) {
                String tag = f[1].substring(0, f[1].length() - 3);
                remote.put(tag, f[0] + " " + remote.get(tag));
            } else {
                remote.putIfAbsent(f[1], f[0]);
            }
        }
        // Branches the write tests move are compared by name only.
        WRITE_BRANCHES.forEach(b -> {
            remote.remove("refs/heads/" + b);
            api.remove("refs/heads/" + b);
        });
        api.keySet().removeIf(k -> k.startsWith("refs/heads/events-"));
        remote.keySet().removeIf(k -> k.startsWith("refs/heads/events-"));
        assertThat(api).isEqualTo(remote);
    }

    @Test
    void anEmptyRepositoryHasNoHistoryUntilTheFirstCommit() {
        String empty = "/v1/repos/" + emptyRepo;
        assertThat(json(as(writer.token()).get(empty + "/commits"), 200).path("commits")).isEmpty();
        assertThat(json(as(writer.token()).get(empty + "/refs"), 200).path("branches")).isEmpty();
        assertThat(json(as(writer.token()).get(empty + "/tree/main"), 404).path("error").asText()).isEqualTo("not_found");

        JsonNode first = json(as(writer.token()).contentType(ContentType.JSON).body(Map.of("branch", "main", "message", "First",
                "changes", List.of(Map.of("path", "hello.txt", "content_base64", b64("hello\n"))))).post(empty + "/commits"), 201);
        assertThat(first.path("parents")).isEmpty();
        Path clone = git.newDir("empty");
        expectOk(git.run(clone, "clone", "-q", url(writer.token(), emptyRepo), "."));
        assertThat(clone.resolve("hello.txt")).hasContent("hello");
        assertThat(rev(clone, "HEAD")).isEqualTo(first.path("sha").asText());
    }

    // ---- writing ----

    @Test
    void anApiCommitIsFetchedByGitPull() throws IOException {
        Path clone = git.newDir("pull");
        expectOk(git.run(clone, "clone", "-q", "-b", "api-commits", url(writer.token(), repo), "."));
        String parent = rev(clone, "HEAD");
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("branch", "api-commits");
        body.put("message", "Agent: new manual\n\nWritten through the content API.");
        body.put("author", Map.of("name", "Agent Smith", "email", "smith@agents.example"));
        body.put("parent_sha", parent);
        body.put("changes", List.of(
                Map.of("path", "docs/manual.md", "content_base64", b64("the new manual\n")),
                Map.of("path", "logo.png", "delete", true),
                Map.of("path", "src/gen/deep/Out.txt", "content_base64", b64("generated\n"))));
        Response created = as(writer.token()).contentType(ContentType.JSON).body(body).post(content("commits"));
        JsonNode commit = json(created, 201);
        String sha = commit.path("sha").asText();
        assertThat(created.header("Location")).endsWith("/v1/repos/" + repo + "/commits/" + sha);
        assertThat(texts(commit.path("parents"))).containsExactly(parent);
        assertThat(commit.path("committer").path("name").asText()).isEqualTo(writer.id());

        expectOk(git.run(clone, "pull", "-q", "--ff-only"));
        assertThat(rev(clone, "HEAD")).isEqualTo(sha);
        assertThat(clone.resolve("docs/manual.md")).hasContent("the new manual");
        assertThat(clone.resolve("src/gen/deep/Out.txt")).hasContent("generated");
        assertThat(clone.resolve("logo.png")).doesNotExist();
        assertThat(clone.resolve("README.md")).hasContent("# App\n\nline two\nline three");
        assertThat(expectOk(git.run(clone, "log", "-1", "--format=%an <%ae>%n%cn <%ce>%n%B")).output())
                .startsWith("Agent Smith <smith@agents.example>\n" + writer.id() + " <acme@keyward>\nAgent: new manual\n\nWritten through the content API.");
        expectOk(git.run(clone, "fsck", "--strict"));
        // The API shows what it made as git does.
        Map<String, String> shown = numstat(expectOk(git.run(clone, "show", "--numstat", "-z", "--format=", sha)).output());
        assertThat(shown).containsEntry("docs/manual.md", "1\t10").containsEntry("logo.png", "-\t-")
                .containsEntry("src/gen/deep/Out.txt", "1\t0");
    }

    @Test
    void aStaleParentIsRefusedWith409AndMovesNoRef() {
        String tip = remoteRef("stale");
        String older = rev("main~1");
        JsonNode refused = json(as(writer.token()).contentType(ContentType.JSON).body(commitBody("stale", older, "a.txt", "x"))
                .post(content("commits")), 409);
        assertThat(refused.path("error").asText()).isEqualTo("stale_parent");
        assertThat(refused.path("current_sha").asText()).isEqualTo(tip);
        Map<String, Object> noParent = commitBody("stale", null, "a.txt", "x");
        assertThat(json(as(writer.token()).contentType(ContentType.JSON).body(noParent).post(content("commits")), 409)
                .path("error").asText()).isEqualTo("stale_parent");
        assertThat(remoteRef("stale")).isEqualTo(tip);
    }

    @Test
    void twoCommitsOnTheSameParentLandOnceAndTheOtherIs409() throws Exception {
        String tip = remoteRef("race");
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<CompletableFuture<Response>> calls = new ArrayList<>();
            for (String who : List.of("one", "two")) {
                calls.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                    return as(writer.token()).contentType(ContentType.JSON).body(commitBody("race", tip, "race.txt", who))
                            .post(content("commits"));
                }, pool));
            }
            go.countDown();
            List<Response> answers = calls.stream().map(CompletableFuture::join).toList();
            assertThat(answers.stream().map(Response::statusCode).sorted().toList()).containsExactly(201, 409);
            Response won = answers.stream().filter(r -> r.statusCode() == 201).findFirst().orElseThrow();
            assertThat(remoteRef("race")).isEqualTo(won.jsonPath().getString("sha"));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aReadTokenCannotCommitOrMerge() {
        String tip = remoteRef("read-only");
        Response commit = as(reader.token()).contentType(ContentType.JSON).body(commitBody("read-only", tip, "a.txt", "x"))
                .post(content("commits"));
        assertThat(commit.statusCode()).isEqualTo(403);
        assertThat(commit.jsonPath().getString("error")).isEqualTo("scope");
        Response merge = as(reader.token()).contentType(ContentType.JSON)
                .body(Map.of("base", "read-only", "head", "feature/x")).post(content("merges"));
        assertThat(merge.statusCode()).isEqualTo(403);
        assertThat(remoteRef("read-only")).isEqualTo(tip);
    }

    @Test
    void aNamespaceTokenCannotBrowseAnotherNamespace() {
        for (String call : List.of("commits", "refs", "tree/main", "blob/main?path=README.md", "compare/main...main")) {
            Response r = as(reader.token()).get("/v1/repos/" + otherRepo + "/" + call);
            assertThat(r.statusCode()).as(call).isEqualTo(403);
            assertThat(r.jsonPath().getString("error")).isEqualTo("scope");
        }
        assertThat(as(writer.token()).contentType(ContentType.JSON).body(commitBody("main", null, "a.txt", "x"))
                .post("/v1/repos/" + otherRepo + "/commits").statusCode()).isEqualTo(403);
    }

    @Test
    void aMergeConflictIs409WithThePathsAndMovesNoRef() {
        String tip = remoteRef("clash");
        JsonNode conflict = json(as(writer.token()).contentType(ContentType.JSON)
                .body(Map.of("base", "clash", "head", "feature/x", "message", "Merge the feature")).post(content("merges")), 409);
        assertThat(conflict.path("error").asText()).isEqualTo("merge_conflict");
        assertThat(texts(conflict.path("conflicts"))).containsExactly("README.md");
        assertThat(remoteRef("clash")).isEqualTo(tip);
        assertThat(remoteRef("feature/x")).isEqualTo(rev("feature/x"));
    }

    @Test
    void aMergeMakesAMergeCommitGitFetches() {
        String base = remoteRef("merge-into");
        JsonNode merge = json(as(writer.token()).contentType(ContentType.JSON)
                .body(Map.of("base", "merge-into", "head", "feature/x", "message", "Merge feature/x")).post(content("merges")), 201);
        assertThat(texts(merge.path("parents"))).containsExactly(base, rev("feature/x"));
        Path clone = git.newDir("merged");
        expectOk(git.run(clone, "clone", "-q", "-b", "merge-into", url(writer.token(), repo), "."));
        assertThat(rev(clone, "HEAD")).isEqualTo(merge.path("sha").asText());
        assertThat(clone.resolve("notes/todo.txt")).hasContent("write the manual");
        assertThat(clone.resolve("README.md")).hasContent("# App\n\nfeature line\nline three");
        assertThat(clone.resolve("src/main/App.java")).content().contains("line 15, on main");
        assertThat(expectOk(git.run(clone, "log", "-1", "--format=%s")).output().strip()).isEqualTo("Merge feature/x");

        JsonNode nothing = json(as(writer.token()).contentType(ContentType.JSON).body(Map.of("base", "merge-into", "head", "v1"))
                .post(content("merges")), 422);
        assertThat(nothing.path("error").asText()).isEqualTo("nothing_to_merge");
    }

    @Test
    void aCommitAddingALiveKeyIsRefusedLikeAPushAndTheKeyRevoked() {
        String tip = remoteRef("protected");
        TokenAuthority.Issued leaked = tokens.createRepoToken(Map.of("repos:" + repo, List.of("git:read")));
        assertThat(as(leaked.token()).get("/v1/repos/" + repo).statusCode()).isEqualTo(200);

        Response refused = as(writer.token()).contentType(ContentType.JSON)
                .body(commitBody("protected", tip, "config/deploy.env", "REGION=eu\nKEYWARD_TOKEN=" + leaked.token() + "\n"))
                .post(content("commits"));

        assertThat(refused.statusCode()).isEqualTo(422);
        assertThat(refused.asString()).doesNotContain(leaked.token());
        JsonNode body = json(refused, 422);
        assertThat(body.path("error").asText()).isEqualTo("secret_detected");
        JsonNode leak = body.path("leaks").get(0);
        assertThat(leak.path("path").asText()).isEqualTo("config/deploy.env");
        assertThat(leak.path("line").asInt()).isEqualTo(2);
        assertThat(leak.path("key_prefix").asText()).isEqualTo(leaked.keyPrefix());
        assertThat(leak.path("revoked").asBoolean()).isTrue();
        assertThat(remoteRef("protected")).as("no ref moved").isEqualTo(tip);
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                .until(() -> as(leaked.token()).get("/v1/repos/" + repo).statusCode() == 401);
    }

    @Test
    void tokenUsedEventsNameTheContentOperation() {
        String branch = "events-" + UUID.randomUUID().toString().substring(0, 6);
        as(writer.token()).get(content("commits")).then().statusCode(200);
        as(writer.token()).get(content("compare/main...feature/x")).then().statusCode(200);
        as(writer.token()).contentType(ContentType.JSON).body(commitBody(branch, rev("main"), "e.txt", "events"))
                .post(content("commits")).then().statusCode(201);
        as(writer.token()).contentType(ContentType.JSON).body(Map.of("base", branch, "head", "feature/x"))
                .post(content("merges")).then().statusCode(201);

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(events.matching(e ->
                e.type() == EventType.TOKEN_USED && writer.id().equals(e.subject()) && repo.equals(e.data().repo())
                        && "success".equals(e.data().outcome())).stream().map(e -> e.data().operation()).collect(Collectors.toSet()))
                .containsAll(Set.of("browse", "diff", "commit", "merge")));
        assertThat(events.rawJson()).noneMatch(j -> j.contains(writer.token()));
    }

    // ---- refusals ----

    @Test
    void hostilePathsAndRefsAreRefusedWith400() {
        Map<String, String> calls = new LinkedHashMap<>();
        calls.put("blob/main?path=../../etc/passwd", "invalid_path");
        calls.put("blob/main?path=/etc/passwd", "invalid_path");
        calls.put("blob/main?path=src/../../x", "invalid_path");
        calls.put("blob/main?path=src//main", "invalid_path");
        calls.put("blob/main?path=%2e%2e/x", "invalid_path");
        calls.put("blob/main?path=%252e%252e/x", "invalid_path");
        calls.put("blob/main?path=%252fetc", "invalid_path");
        calls.put("blob/main?path=README.md%00.png", "invalid_path");
        calls.put("blob/main?path=..%5Cx", "invalid_path");
        calls.put("blob/main?path=%C0%AE%C0%AE/x", "invalid_path");
        calls.put("blob/main", "invalid_path");
        calls.put("tree/main?path=docs/", "invalid_path");
        calls.put("commits?path=%0A", "invalid_path");
        calls.put("blob/refs/notes/x?path=README.md", "invalid_ref");
        calls.put("blob/refs/remotes/origin/main?path=README.md", "invalid_ref");
        calls.put("blob/HEAD@%7B1%7D?path=README.md", "invalid_ref");
        calls.put("blob/main~1?path=README.md", "invalid_ref");
        calls.put("blob/main%5E?path=README.md", "invalid_ref");
        calls.put("blob/main%00?path=README.md", "invalid_ref");
        calls.put("blob/" + "b".repeat(300) + "?path=README.md", "invalid_ref");
        calls.put("tree/-rf", "invalid_ref");
        calls.put("commits?ref=main..feature", "invalid_ref");
        calls.put("commits?ref=%252e%252e", "invalid_ref");
        calls.put("commits/HEAD~2", "invalid_ref");
        calls.put("compare/main..feature/x", "invalid_ref");
        calls.put("compare/main...HEAD@%7B2%7D", "invalid_ref");
        calls.put("compare/main...feature/x?format=html", "invalid_format");
        calls.put("commits?page_size=0", "invalid_page_size");
        calls.put("commits?page_size=101", "invalid_page_size");
        calls.put("commits?page_size=ten", "invalid_page_size");
        calls.put("commits?page_token=not-a-token", "invalid_page_token");
        calls.forEach((call, error) -> {
            Response r = given().urlEncodingEnabled(false).header("Authorization", "Bearer " + reader.token())
                    .get("/v1/repos/" + repo + "/" + call);
            assertThat(r.statusCode()).as(call + ": " + r.asString()).isEqualTo(400);
            assertThat(r.contentType()).as(call).startsWith("application/json");
            assertThat(r.jsonPath().getString("error")).as(call).isEqualTo(error);
        });
    }

    @Test
    void unknownRepositoriesRefsPathsAndUnreachableCommitsAre404() {
        Map<String, String> calls = new LinkedHashMap<>();
        calls.put("/v1/repos/" + ns + "/nope/commits", "repository");
        calls.put("/v1/repos/" + repo + "/commits?ref=nope", "nope");
        calls.put("/v1/repos/" + repo + "/blob/main?path=nope.txt", "nope.txt");
        calls.put("/v1/repos/" + repo + "/blob/main?path=src", "directory");
        calls.put("/v1/repos/" + repo + "/commits/" + unreachable, unreachable);
        calls.put("/v1/repos/" + repo + "/blob/" + unreachable + "?path=gone.txt", unreachable);
        calls.put("/v1/repos/" + repo + "/commits/" + "0".repeat(40), "0000");
        calls.put("/v1/repos/" + repo + "/compare/main...nope", "nope");
        calls.forEach((call, mentions) -> {
            Response r = as(admin).get(call);
            assertThat(r.statusCode()).as(call).isEqualTo(404);
            assertThat(r.jsonPath().getString("error")).as(call).isEqualTo("not_found");
            assertThat(r.jsonPath().getString("message")).as(call).contains(mentions);
        });
    }

    @Test
    void commitBodiesAreReadStrictly() throws IOException {
        String tip = remoteRef("api-commits");
        Map<String, Object> unknown = new HashMap<>(commitBody("api-commits", tip, "a.txt", "x"));
        unknown.put("colour", "blue");
        assertError(post("commits", unknown), 422, "unknown_field", "colour");
        Map<String, Object> wrongType = new HashMap<>(commitBody("api-commits", tip, "a.txt", "x"));
        wrongType.put("changes", "all of them");
        assertError(post("commits", wrongType), 400, "malformed_json", "changes");
        Map<String, Object> both = new HashMap<>(commitBody("api-commits", tip, "a.txt", "x"));
        both.put("changes", List.of(Map.of("path", "a.txt", "content_base64", b64("x"), "delete", true)));
        assertError(post("commits", both), 422, "invalid_request", "changes[0]");
        Map<String, Object> badBase64 = new HashMap<>(commitBody("api-commits", tip, "a.txt", "x"));
        badBase64.put("changes", List.of(Map.of("path", "a.txt", "content_base64", "not base64!")));
        assertError(post("commits", badBase64), 400, "invalid_request", "content_base64");
        assertError(post("commits", commitBody("api-commits", tip, ".git/config", "x")), 400, "invalid_path", "changes[0].path");
        // (A path that long cannot reach a query: the HTTP layer refuses request lines over 4 KiB with 414.)
        assertError(post("commits", commitBody("api-commits", tip, "a/".repeat(2100) + "x", "x")), 400, "invalid_path", "4096");
        assertError(post("commits", commitBody("api-commits", tip, "README.md/inner", "x")), 422, "path_conflict", "README.md");
        assertError(post("commits", commitBody("api-commits", tip, "src", "x")), 422, "path_conflict", "directory");
        assertError(post("commits", commitBody("refs/tags/v1", tip, "a.txt", "x")), 400, "invalid_ref", "branch");
        assertError(post("merges", Map.of("base", "main", "head", "feature/x", "strategy", "ours")), 422, "unknown_field", "strategy");
        assertThat(remoteRef("api-commits")).isEqualTo(tip);

        // A body over the limit is refused from its Content-Length, before it is read; a chunked one for having none.
        assertThat(rawPost("Content-Length: 999999999")).startsWith("HTTP/1.1 413").contains("payload_too_large");
        assertThat(rawPost("Transfer-Encoding: chunked")).startsWith("HTTP/1.1 411").contains("length_required");
    }

    // ---- routing: ids next to sub-resource names, and the SDK path ----

    @Test
    void idsCannotHoldSubResourceNamesAfterTheirFirstSegmentAndBothPathsAnswerAlike() {
        for (String id : List.of(ns + "/app/commits", ns + "/tree/x", ns + "/refs")) {
            Response r = given().header("Authorization", "Bearer " + admin).contentType(ContentType.JSON).body(Map.of("id", id))
                    .post("/v1/repos");
            assertThat(r.statusCode()).as(id).isEqualTo(400);
            assertThat(r.jsonPath().getString("error")).isEqualTo("invalid_repo_id");
        }
        // A first segment may be one: its content paths still say where the id ends.
        String treeFirst = "tree/" + ns;
        given().header("Authorization", "Bearer " + admin).contentType(ContentType.JSON).body(Map.of("id", treeFirst))
                .post("/v1/repos").then().statusCode(201);
        assertThat(json(as(admin).get("/v1/repos/" + treeFirst), 200).path("id").asText()).isEqualTo(treeFirst);
        assertThat(json(as(admin).get("/v1/repos/" + treeFirst + "/refs"), 200).path("branches")).isEmpty();
        given().header("Authorization", "Bearer " + admin).delete("/v1/repos/" + treeFirst).then().statusCode(200);

        assertThat(json(as(reader.token()).get("/v1/repos/" + repo), 200).path("id").asText()).isEqualTo(repo);
        for (String call : List.of("commits?ref=main", "commits/" + rev("main"), "tree/main?path=src", "refs", "compare/main...feature/x")) {
            String v1 = as(reader.token()).get("/v1/repos/" + repo + "/" + call).then().statusCode(200).extract().asString();
            String sdk = as(reader.token()).get("/api/v1/repos/" + repo + "/" + call).then().statusCode(200).extract().asString();
            assertThat(sdk).as(call).isEqualTo(v1);
        }
        assertThat(as(reader.token()).queryParam("path", "logo.png").get("/api/v1/repos/" + repo + "/blob/main").asByteArray())
                .isEqualTo(logo);
        assertThat(as(reader.token()).contentType(ContentType.JSON).body(commitBody("main", null, "a.txt", "x"))
                .post("/api/v1/repos/" + repo + "/commits").statusCode()).isEqualTo(403);
    }

    // ---- helpers ----

    private String content(String call) {
        return "/v1/repos/" + repo + "/" + call;
    }

    private static RequestSpecification as(String token) {
        return given().header("x-api-key", token);
    }

    private Response post(String call, Object body) {
        return as(writer.token()).contentType(ContentType.JSON).body(body).post(content(call));
    }

    private static void assertError(Response r, int status, String error, String mentions) {
        assertThat(r.statusCode()).as(r.asString()).isEqualTo(status);
        assertThat(r.jsonPath().getString("error")).isEqualTo(error);
        assertThat(r.jsonPath().getString("message")).contains(mentions);
    }

    private static Map<String, Object> commitBody(String branch, String parent, String path, String text) {
        Map<String, Object> body = new HashMap<>();
        body.put("branch", branch);
        body.put("message", "change " + path);
        if (parent != null) {
            body.put("parent_sha", parent);
        }
        body.put("changes", List.of(Map.of("path", path, "content_base64", b64(text))));
        return body;
    }

    /** A POST of a commit with the given framing header and a few bytes of body; the raw answer. */
    private String rawPost(String framing) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", root.getPort())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/repos/" + repo + "/commits HTTP/1.1\r\nHost: 127.0.0.1\r\nx-api-key: " + writer.token()
                    + "\r\nContent-Type: application/json\r\n" + framing + "\r\n\r\n{").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            // The answer comes before the body; the connection may stay open for it, so read up to the JSON's end.
            InputStream in = socket.getInputStream();
            StringBuilder answer = new StringBuilder();
            int b;
            while ((b = in.read()) >= 0) {
                answer.append((char) b);
                if (answer.indexOf("\r\n\r\n") > 0 && answer.charAt(answer.length() - 1) == '}') {
                    break;
                }
            }
            return answer.toString();
        }
    }

    private static JsonNode json(Response r, int status) {
        assertThat(r.statusCode()).as(r.asString()).isEqualTo(status);
        try {
            return JSON.readTree(r.asString());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static List<String> texts(JsonNode array, String field) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.path(field).asText()));
        return out;
    }

    private static void assertSameTime(String api, String git) {
        OffsetDateTime a = OffsetDateTime.parse(api);
        OffsetDateTime g = OffsetDateTime.parse(git);
        assertThat(a.toInstant()).isEqualTo(g.toInstant());
        assertThat(a.getOffset()).isEqualTo(g.getOffset());
    }

    private static String b64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String numbered(String prefix, int lines) {
        StringBuilder s = new StringBuilder();
        for (int i = 1; i <= lines; i++) {
            s.append(prefix).append(' ').append(i).append('\n');
        }
        return s.toString();
    }

    private void write(String path, String text) {
        try {
            Path file = work.resolve(path);
            Files.createDirectories(file.getParent());
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private void commit(String name, String email, String date, String message) {
        expectOk(git.run(work, "add", "-A"));
        expectOk(git.run(work, Map.of("GIT_AUTHOR_NAME", name, "GIT_AUTHOR_EMAIL", email, "GIT_AUTHOR_DATE", date,
                "GIT_COMMITTER_NAME", "Release Bot", "GIT_COMMITTER_EMAIL", "bot@example.com", "GIT_COMMITTER_DATE", date),
                "commit", "-q", "-m", message));
    }

    private String rev(String rev) {
        return rev(work, rev);
    }

    private String rev(Path dir, String rev) {
        return expectOk(git.run(dir, "rev-parse", rev)).output().strip();
    }

    private String remoteRef(String branch) {
        String out = expectOk(git.run(work, "ls-remote", url(admin, repo), "refs/heads/" + branch)).output();
        return out.isBlank() ? null : out.split("\\s+")[0];
    }

    /** {@code git log} of a ref: sha, parents, author name, e-mail, date, committer name, e-mail, date, message. */
    private List<String[]> gitLog(String ref) {
        String out = expectOk(git.run(work, "log", "--format=%H%x1f%P%x1f%an%x1f%ae%x1f%aI%x1f%cn%x1f%ce%x1f%cI%x1f%B%x1e", ref)).output();
        List<String[]> commits = new ArrayList<>();
        for (String record : out.split("\u001e")) {
            if (!record.isBlank()) {
                commits.add(record.stripLeading().split("\u001f", -1));
            }
        }
        return commits;
    }

    /** {@code --numstat -z} output as "path" (or "old => new") to "added\tdeleted" ("-\t-" for binary files). */
    private static Map<String, String> numstat(String out) {
        Map<String, String> files = new HashMap<>();
        List<String> tokens = new ArrayList<>(Arrays.asList(out.split("\0")));
        for (int i = 0; i < tokens.size(); i++) {
            String t = tokens.get(i).replaceFirst("^\n+", "");
            if (t.isBlank()) {
                continue;
            }
            String[] f = t.split("\t", 3);
            String name = f[2].isEmpty() ? tokens.get(++i) + " => " + tokens.get(++i) : f[2];
            files.put(name, f[0] + "\t" + f[1]);
        }
        return files;
    }

    /** The hunk lines of a unified diff, per file (the new path; the old one for a deletion). */
    private static Map<String, List<String>> hunkLines(String diff) {
        Map<String, List<String>> files = new HashMap<>();
        List<String> current = null;
        String oldPath = null;
        boolean inHunk = false;
        for (String line : diff.split("\n")) {
            if (line.startsWith("diff --git ")) {
                inHunk = false;
                current = null;
                oldPath = null;
            } else if (!inHunk && line.startsWith("--- ")) {
                oldPath = line.substring(4).replaceFirst("^a/", "");
            } else if (!inHunk && line.startsWith("+++ ")) {
                String path = line.substring(4).equals("/dev/null") ? oldPath : line.substring(6);
                current = files.computeIfAbsent(path, p -> new ArrayList<>());
            } else if (line.startsWith("@@ ")) {
                inHunk = true;
            } else if (inHunk && current != null && !line.isEmpty() && " +-\\".indexOf(line.charAt(0)) >= 0) {
                current.add(line);
            } else if (!inHunk && line.startsWith("rename to ")) {
                files.computeIfAbsent(line.substring("rename to ".length()), p -> new ArrayList<>());
            }
        }
        return files;
    }

    private static List<String> lines(String out) {
        return out.lines().filter(l -> !l.isBlank()).toList();
    }

    private String url(String token, String repoId) {
        return "http://agent:" + token + "@127.0.0.1:" + root.getPort() + "/" + TokenAuthority.ORG + "/" + repoId + ".git";
    }
}
