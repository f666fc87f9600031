package dev.keyward.repo.git;

import static dev.keyward.repo.GitCli.expectOk;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.keyward.repo.GitCli;
import dev.keyward.repo.TokenAuthority;
import dev.keyward.repo.TokenServiceTestResource;
import dev.keyward.testsupport.KafkaTestResource;
import dev.keyward.testsupport.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import java.net.URL;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The event path alone: with a one-minute API-key cache, only the {@code token:revoked} event that
 * the real token-service publishes (through its outbox and Kafka) can make repo-service refuse a
 * revoked key within 1 s.
 */
@QuarkusTest
@TestProfile(RevocationEventTests.LongCache.class)
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "keyward_repo"))
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(value = TokenServiceTestResource.class, restrictToAnnotatedClass = true)
class RevocationEventTests {

    /** A cache that would keep a revoked key alive for a minute without the event. */
    public static class LongCache implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("keyward.verification.api-key-cache-ttl", "60s");
        }
    }

    @TestHTTPResource("/")
    URL root;

    @Test
    void revocationEventEvictsTheCachedKeyWithinOneSecond() {
        TokenAuthority tokens = TokenServiceTestResource.api();
        String repo = "evict" + UUID.randomUUID().toString().substring(0, 6) + "/app";
        String admin = tokens.createOrgToken(Map.of("org", List.of("org:read"), "repos:*", List.of("git:write", "repo:write"))).token();
        given().header("Authorization", "Bearer " + admin).contentType(ContentType.JSON).body(Map.of("id", repo))
                .post("/v1/repos").then().statusCode(201);
        TokenAuthority.Issued doomed = tokens.createRepoToken(Map.of("repos:" + repo, List.of("git:read")));
        GitCli git = new GitCli();
        Path work = git.newDir("evict");
        String url = "http://agent:" + doomed.token() + "@127.0.0.1:" + root.getPort() + "/acme/" + repo + ".git";
        expectOk(git.run(work, "ls-remote", url)); // now cached for a minute
        given().header("Authorization", "Bearer " + doomed.token()).get("/v1/repos/" + repo).then().statusCode(200);

        tokens.revoke(doomed.id());
        long start = System.nanoTime();
        // Polled over HTTP (same verifier, same cache): a git process per poll would measure process
        // start-up on a busy machine rather than the propagation.
        await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(50))
                .until(() -> given().header("Authorization", "Bearer " + doomed.token())
                        .get("/v1/repos/" + repo).statusCode() == 401);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
        assertThat(git.run(work, "ls-remote", url).ok()).as("git is refused too").isFalse();
    }
}
