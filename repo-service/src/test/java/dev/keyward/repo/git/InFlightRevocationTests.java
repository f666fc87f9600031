package dev.keyward.repo.git;

import static dev.keyward.testsupport.GitCli.expectOk;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyward.testsupport.GitCli;
import dev.keyward.repo.SlowLink;
import dev.keyward.repo.TokenAuthority;
import dev.keyward.repo.TokenServiceApi;
import dev.keyward.repo.TokenServiceTestResource;
import dev.keyward.testsupport.KafkaTestResource;
import dev.keyward.testsupport.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Revocation and suspension end git requests in flight: a push still uploading its pack when its
 * token is revoked fails and moves no ref; a clone still receiving its pack when its org is
 * suspended fails; a push whose token stays valid lands whole. Real git, the real token-service, its
 * events through Kafka. The pack is {@value #PACK_MIB} MiB of random (incompressible) data: a push of
 * it lasts seconds (git compresses as it sends), and the test acts once the server's partial pack
 * has grown; a clone of it takes well under a second over loopback, so it goes through a
 * {@link SlowLink} at a network's pace and the test acts once part of it has arrived.
 */
@QuarkusTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "keyward_repo"))
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(value = TokenServiceTestResource.class, restrictToAnnotatedClass = true)
class InFlightRevocationTests {

    private static final int PACK_MIB = 48;
    /** How much of the pack must have arrived before the test acts: the transfer is then under way. */
    private static final long IN_FLIGHT_BYTES = 4L << 20;
    /** A bound for revoke→failure that holds on a busy machine (the target is 1 s; the figure is printed). */
    private static final Duration CUT_OFF_BOUND = Duration.ofSeconds(5);
    /** A clone's pace: loopback alone delivers the pack in well under a second. */
    private static final long CLONE_BYTES_PER_SECOND = 8L << 20;

    private final GitCli git = new GitCli();
    private TokenServiceApi operator;
    private String org;
    private String orgAdmin;
    /** A work tree whose {@code main} is a small commit ({@link #small}) and a large one on top ({@link #large}). */
    private Path work;
    private String small;
    private String large;

    @TestHTTPResource("/")
    URL root;

    @BeforeAll
    void largeCommitAndAnOrgWhoseEventsArrive() {
        RestAssured.port = root.getPort();
        work = git.newDir("inflight");
        expectOk(git.run(work, "init", "-q", "."));
        git.commitFile(work, "README.md", "in flight\n");
        small = head();
        SplittableRandom random = new SplittableRandom(42);
        byte[] chunk = new byte[1 << 20];
        try {
            for (int i = 0; i < PACK_MIB; i++) {
                random.nextBytes(chunk);
                Files.write(work.resolve("blob-" + i + ".bin"), chunk);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        expectOk(git.run(work, "add", "-A"));
        expectOk(git.run(work, "commit", "-q", "-m", "large"));
        large = head();

        operator = TokenServiceTestResource.operator();
        org = "inflight-" + UUID.randomUUID().toString().substring(0, 8);
        JsonNode created = operator.send("POST", "/v1/orgs", Map.of("id", org, "admin_token", true), 201);
        orgAdmin = created.path("admin_token").path("token").asText();
        // The event listener positions itself at the end of the topic in the background after start-up:
        // one suspension seen (and undone) without a clock means it is reading.
        operator.send("POST", "/v1/orgs/" + org + "/suspend", null, 200);
        await().atMost(Duration.ofSeconds(60)).until(() -> status(orgAdmin) == 403);
        operator.send("POST", "/v1/orgs/" + org + "/resume", null, 200);
        await().atMost(Duration.ofSeconds(60)).until(() -> status(orgAdmin) == 200);
    }

    @Test
    void aLargePushWhoseTokenStaysValidLandsWhole() {
        TokenAuthority tokens = TokenServiceTestResource.api();
        String repo = createRepo(tokens.createOrgToken(Map.of("repos:*", List.of("repo:write"))).token(), "steady");
        String url = url(TokenAuthority.ORG, tokens.createRepoToken(Map.of("repos:" + repo, List.of("git:write"))).token(), repo);

        long start = System.nanoTime();
        expectOk(git.run(work, "push", url, "main"));
        System.out.printf("figure: a %d MiB push with a valid token took %d ms%n", PACK_MIB, millisSince(start));
        assertThat(refOf(url)).isEqualTo(large);
    }

    @Test
    void aPushStillUploadingWhenItsTokenIsRevokedFailsAndMovesNoRef() {
        TokenAuthority tokens = TokenServiceTestResource.api();
        String repo = createRepo(tokens.createOrgToken(Map.of("repos:*", List.of("repo:write"))).token(), "revoked");
        TokenAuthority.Issued pusher = tokens.createRepoToken(Map.of("repos:" + repo, List.of("git:write")));
        String url = url(TokenAuthority.ORG, pusher.token(), repo);
        expectOk(git.run(work, "push", url, small + ":refs/heads/main"));

        GitCli.Running push = git.start(work, "push", url, "main");
        Path objects = Path.of("target/test-repos", TokenAuthority.ORG, repo + ".git", "objects");
        awaitInFlight(push, objects);
        long start = System.nanoTime();
        tokens.revoke(pusher.id());
        // JGit removes the partial pack when the upload is cut off (a push that completes keeps it as a pack).
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).until(() -> {
            long held = received(objects);
            return !push.isAlive() || held >= 0 && held < IN_FLIGHT_BYTES;
        });
        long dropped = millisSince(start);
        GitCli.Result result = push.await(Duration.ofSeconds(60));
        long failed = millisSince(start);
        System.out.printf("figure: revocation -> upload dropped by repo-service %d ms, -> git push failed %d ms%n", dropped, failed);

        assertThat(result.ok()).as("git push fails: %s", result.output()).isFalse();
        assertThat(result.output()).as("refused as a new push would be").contains("401").doesNotContain(pusher.token());
        assertThat(Duration.ofMillis(failed)).isLessThan(CUT_OFF_BOUND);
        String reader = tokens.createRepoToken(Map.of("repos:" + repo, List.of("git:read"))).token();
        assertThat(refOf(url(TokenAuthority.ORG, reader, repo))).as("main did not move").isEqualTo(small);
    }

    @Test
    void aCloneStillReceivingWhenItsOrgIsSuspendedFails() {
        String repo = createRepo(orgAdmin, "suspended");
        String url = url(org, orgAdmin, repo);
        expectOk(git.run(work, "push", url, "main"));

        Path clone = git.newDir("clone");
        try (SlowLink link = new SlowLink(root.getPort(), CLONE_BYTES_PER_SECOND)) {
            GitCli.Running running = git.start(clone, "clone", "-q", url.replace(":" + root.getPort() + "/", ":" + link.port() + "/"), ".");
            awaitInFlight(running, clone.resolve(".git/objects"));
            long start = System.nanoTime();
            operator.send("POST", "/v1/orgs/" + org + "/suspend", null, 200);
            GitCli.Result result = running.await(Duration.ofSeconds(60));
            long failed = millisSince(start);
            System.out.printf("figure: suspension -> git clone failed %d ms%n", failed);

            assertThat(result.ok()).as("git clone fails: %s", result.output()).isFalse();
            assertThat(Duration.ofMillis(failed)).isLessThan(CUT_OFF_BOUND);
        } finally {
            operator.send("POST", "/v1/orgs/" + org + "/resume", null, 200);
        }
    }

    /** Waits until the receiving side holds part of the pack; fails when the transfer ended first. */
    private static void awaitInFlight(GitCli.Running git, Path dir) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
                .until(() -> !git.isAlive() || received(dir) >= IN_FLIGHT_BYTES);
        if (!git.isAlive()) {
            throw new AssertionError("the transfer ended before the test could act:\n" + git.await(Duration.ofSeconds(1)).output());
        }
    }

    /**
     * Bytes in the files under {@code dir}: what the receiving side has written of the transfer so
     * far; -1 when a directory changed under the walk (ask again at the next poll).
     */
    private static long received(Path dir) {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.mapToLong(f -> f.toFile().length()).sum(); // 0 for directories and files already gone
        } catch (IOException | UncheckedIOException e) {
            return -1;
        }
    }

    private static long millisSince(long startNanos) {
        return Duration.ofNanos(System.nanoTime() - startNanos).toMillis();
    }

    private String createRepo(String token, String name) {
        String id = name + "-" + UUID.randomUUID().toString().substring(0, 6);
        given().header("Authorization", "Bearer " + token).contentType(ContentType.JSON).body(Map.of("id", id))
                .post("/v1/repos").then().statusCode(201);
        return id;
    }

    private String head() {
        return expectOk(git.run(work, "rev-parse", "HEAD")).output().strip();
    }

    /** The sha of {@code main} on the server, by ls-remote. */
    private String refOf(String url) {
        String out = expectOk(git.run(work, "ls-remote", url, "refs/heads/main")).output().strip();
        return out.isEmpty() ? "" : out.split("\\s+")[0];
    }

    private String url(String inOrg, String token, String repo) {
        return "http://agent:" + token + "@127.0.0.1:" + root.getPort() + "/" + inOrg + "/" + repo + ".git";
    }

    private static int status(String token) {
        return given().header("Authorization", "Bearer " + token).get("/v1/repos").statusCode();
    }
}
