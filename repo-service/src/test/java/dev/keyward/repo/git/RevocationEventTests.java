package dev.keyward.repo.git;

import static dev.keyward.testsupport.GitCli.expectOk;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.keyward.testsupport.GitCli;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.awaitility.core.ConditionTimeoutException;
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
        // The listener positions itself at the end of the topic in the background after start-up; a
        // revocation published before that is missed. A throwaway key refused well inside the cache
        // TTL can only have been evicted by its event: from then on the listener is reading.
        await().atMost(Duration.ofSeconds(60)).until(() -> evictedByItsEvent(tokens, repo));

        GitCli git = new GitCli();
        Path work = git.newDir("evict");
        List<Duration> took = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            TokenAuthority.Issued doomed = tokens.createRepoToken(Map.of("repos:" + repo, List.of("git:read")));
            String url = "http://agent:" + doomed.token() + "@127.0.0.1:" + root.getPort() + "/acme/" + repo + ".git";
            expectOk(git.run(work, "ls-remote", url)); // now cached for a minute
            assertThat(status(doomed.token(), repo)).isEqualTo(200);

            tokens.revoke(doomed.id());
            long start = System.nanoTime();
            // Polled over HTTP (same verifier, same cache): a git process per poll would measure process
            // start-up on a busy machine rather than the propagation.
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                    .until(() -> status(doomed.token(), repo) == 401);
            took.add(Duration.ofNanos(System.nanoTime() - start));
            assertThat(git.run(work, "ls-remote", url).ok()).as("git is refused too").isFalse();
        }
        // The 1 s target is a percentile (the benchmark measures p99); one slow round on a busy machine is no failure.
        assertThat(took.stream().sorted().toList().get(2)).as("median of %s", took).isLessThan(Duration.ofSeconds(1));
        assertThat(took).allSatisfy(t -> assertThat(t).isLessThan(Duration.ofSeconds(5)));
    }

    /** Caches a new key, revokes it and gives its event 10 s (the cache alone would keep it for 60 s). */
    private static boolean evictedByItsEvent(TokenAuthority tokens, String repo) {
        TokenAuthority.Issued throwaway = tokens.createRepoToken(Map.of("repos:" + repo, List.of("git:read")));
        assertThat(status(throwaway.token(), repo)).isEqualTo(200);
        tokens.revoke(throwaway.id());
        try {
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                    .until(() -> status(throwaway.token(), repo) == 401);
            return true;
        } catch (ConditionTimeoutException e) {
            return false;
        }
    }

    private static int status(String token, String repo) {
        return given().header("Authorization", "Bearer " + token).get("/v1/repos/" + repo).statusCode();
    }
}
