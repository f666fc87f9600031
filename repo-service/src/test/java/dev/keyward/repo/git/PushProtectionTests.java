package dev.keyward.repo.git;

import static dev.keyward.testsupport.GitCli.expectOk;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.keyward.contract.ApiKeyFormat;
import dev.keyward.contract.TokenKind;
import dev.keyward.events.EventType;
import dev.keyward.testsupport.EventTap;
import dev.keyward.testsupport.GitCli;
import dev.keyward.repo.TokenAuthority;
import dev.keyward.repo.TokenServiceTestResource;
import dev.keyward.testsupport.KafkaTestResource;
import dev.keyward.testsupport.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Push protection with real pushes against the real token-service: a push that adds a live key of
 * any org is refused whole (no ref moves), git is told file, line and key prefix, the key is
 * revoked and stops working on git within a second or so, and {@code token:leaked} is recorded.
 * Revoked keys and look-alikes with a bad checksum do not block.
 * (A 48 MiB push without keys passes the scan in {@code InFlightRevocationTests}.)
 */
@QuarkusTest
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "keyward_repo"))
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(value = TokenServiceTestResource.class, restrictToAnnotatedClass = true)
class PushProtectionTests {

    @TestHTTPResource("/")
    URL root;

    private final GitCli git = new GitCli();

    private record Setup(String repo, String pusher, Path work) {
    }

    private Setup repoWithOneCommit() {
        TokenAuthority tokens = TokenServiceTestResource.api();
        String repo = "leaks-" + UUID.randomUUID().toString().substring(0, 8) + "/app";
        String pusher = tokens.createOrgToken(Map.of("repos:" + repo, List.of("git:write", "repo:write"))).token();
        given().header("Authorization", "Bearer " + pusher).contentType(ContentType.JSON).body(Map.of("id", repo))
                .post("/v1/repos").then().statusCode(201);
        Path work = git.newDir("leaks");
        expectOk(git.run(work, "clone", url(pusher, repo), "."));
        git.commitFile(work, "README.md", "hello\n");
        expectOk(git.run(work, "push", "origin", "HEAD:main"));
        return new Setup(repo, pusher, work);
    }

    private String url(String token, String repo) {
        return "http://ci:" + token + "@127.0.0.1:" + root.getPort() + "/" + TokenServiceTestResource.ORG + "/" + repo + ".git";
    }

    private String head(Setup s) {
        return expectOk(git.run(s.work(), "ls-remote", url(s.pusher(), s.repo()), "refs/heads/main")).output().split("\\s+")[0];
    }

    @Test
    void aLiveKeyInTheThirdCommitOfAPushRefusesItWholeAndIsRevoked() throws Exception {
        Setup s = repoWithOneCommit();
        String before = head(s);
        TokenAuthority.Issued leaked = TokenServiceTestResource.api().createRepoToken(Map.of("repos:" + s.repo(), List.of("git:read")));
        assertThat(status(leaked.token(), s.repo())).isEqualTo(200);
        try (EventTap tap = new EventTap()) {
            git.commitFile(s.work(), "one.txt", "one\n");
            git.commitFile(s.work(), "two.txt", "two\n");
            git.commitFile(s.work(), "config/deploy.env", "# deploy settings\nREGION=eu\nKEYWARD_TOKEN=" + leaked.token() + "\n");
            GitCli.Result push = git.run(s.work(), "push", "origin", "HEAD:main");

            assertThat(push.ok()).isFalse();
            assertThat(push.output()).contains("push refused").contains("config/deploy.env:3")
                    .contains(leaked.keyPrefix()).contains("revoked now").doesNotContain(leaked.token());
            assertThat(head(s)).as("no ref moved").isEqualTo(before);
            // Revoked at once: git and the API refuse the leaked key (the 1 s target is measured by the revocation tests).
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                    .until(() -> status(leaked.token(), s.repo()) == 401);
            assertThat(git.run(git.newDir("after"), "ls-remote", url(leaked.token(), s.repo())).ok()).isFalse();
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(tap.matching(e ->
                    e.type() == EventType.TOKEN_LEAKED && leaked.id().equals(e.subject()))).isNotEmpty());
            assertThat(tap.rawJson()).noneMatch(json -> json.contains(leaked.token()));
        }
    }

    @Test
    void aLiveKeyInABinaryLookingFileRefusesThePush() throws Exception {
        Setup s = repoWithOneCommit();
        String before = head(s);
        TokenAuthority.Issued leaked = TokenServiceTestResource.api().createRepoToken(Map.of("repos:" + s.repo(), List.of("git:read")));
        byte[] blob = new byte[4096];
        new java.util.Random(5).nextBytes(blob);
        byte[] key = leaked.token().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        System.arraycopy(key, 0, blob, 2000, key.length);
        blob[1999] = 0;
        Files.write(s.work().resolve("dump.bin"), blob);
        expectOk(git.run(s.work(), "add", "dump.bin"));
        expectOk(git.run(s.work(), "commit", "-q", "-m", "binary"));
        GitCli.Result push = git.run(s.work(), "push", "origin", "HEAD:main");
        assertThat(push.ok()).isFalse();
        assertThat(push.output()).contains("dump.bin").contains(leaked.keyPrefix()).doesNotContain(leaked.token());
        assertThat(head(s)).isEqualTo(before);
    }

    @Test
    void revokedKeysAndLookAlikesDoNotBlock() {
        Setup s = repoWithOneCommit();
        TokenAuthority tokens = TokenServiceTestResource.api();
        TokenAuthority.Issued old = tokens.createRepoToken(Map.of("repos:" + s.repo(), List.of("git:read")));
        tokens.revoke(old.id());
        String lookAlike = ApiKeyFormat.generate(ApiKeyFormat.Environment.PROD, TokenKind.REPO);
        char last = lookAlike.charAt(lookAlike.length() - 1);
        lookAlike = lookAlike.substring(0, lookAlike.length() - 1) + (last == 'a' ? 'b' : 'a'); // checksum no longer matches
        git.commitFile(s.work(), "docs/example.md", "an old key: " + old.token() + "\nand a made-up one: " + lookAlike + "\n");
        GitCli.Result push = git.run(s.work(), "push", "origin", "HEAD:main");
        assertThat(push.ok()).as(push.output()).isTrue();
        assertThat(push.output()).doesNotContain("push refused");
    }

    private static int status(String token, String repo) {
        return given().header("Authorization", "Bearer " + token).get("/v1/repos/" + repo).statusCode();
    }
}
