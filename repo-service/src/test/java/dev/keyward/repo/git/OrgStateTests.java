package dev.keyward.repo.git;

import static dev.keyward.testsupport.GitCli.expectOk;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyward.testsupport.GitCli;
import dev.keyward.repo.TokenServiceApi;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * An org's state reaches repo-service through the same event path as revocations: a platform
 * operator suspends an org in the real token-service, and repo-service refuses its keys on its API
 * and on git within 1 s (a cached key included); resumed, they work again; deleted, its
 * repositories are removed from the database and the disk.
 */
@QuarkusTest
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "keyward_repo"))
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(value = TokenServiceTestResource.class, restrictToAnnotatedClass = true)
class OrgStateTests {

    @TestHTTPResource("/")
    URL root;

    @Test
    void aSuspendedOrgIsRefusedOnGitAndApiWithinOneSecondAndADeletedOrgLosesItsRepositories() {
        TokenServiceApi operator = TokenServiceTestResource.operator();
        String org = "team-" + UUID.randomUUID().toString().substring(0, 8);
        JsonNode created = operator.send("POST", "/v1/orgs", Map.of("id", org, "admin_token", true), 201);
        String admin = created.path("admin_token").path("token").asText();
        given().header("Authorization", "Bearer " + admin).contentType(ContentType.JSON).body(Map.of("id", "app"))
                .post("/v1/repos").then().statusCode(201);
        GitCli git = new GitCli();
        Path work = git.newDir("suspend");
        String url = "http://admin:" + admin + "@127.0.0.1:" + root.getPort() + "/" + org + "/app.git";
        expectOk(git.run(work, "ls-remote", url));

        // A first round without a clock: it also waits for this replica's listener to be reading.
        operator.send("POST", "/v1/orgs/" + org + "/suspend", null, 200);
        await().atMost(Duration.ofSeconds(60)).until(() -> status(admin) == 403);
        operator.send("POST", "/v1/orgs/" + org + "/resume", null, 200);
        await().atMost(Duration.ofSeconds(60)).until(() -> status(admin) == 200);

        List<Duration> suspended = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            assertThat(status(admin)).isEqualTo(200); // cached
            operator.send("POST", "/v1/orgs/" + org + "/suspend", null, 200);
            long start = System.nanoTime();
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> status(admin) == 403);
            suspended.add(Duration.ofNanos(System.nanoTime() - start));
            given().header("Authorization", "Bearer " + admin).get("/v1/repos/app").then().statusCode(403)
                    .body("error", equalTo("org_suspended"));
            assertThat(git.run(work, "ls-remote", url).ok()).as("git is refused too").isFalse();
            operator.send("POST", "/v1/orgs/" + org + "/resume", null, 200);
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> status(admin) == 200);
        }
        expectOk(git.run(work, "ls-remote", url));
        // The 1 s target is a percentile (the benchmark keeps the tight figure); one slow round on a busy machine is no failure.
        assertThat(suspended.stream().sorted().toList().get(1)).as("median of %s", suspended).isLessThan(Duration.ofSeconds(1));

        Path onDisk = Path.of("target/test-repos", org, "app.git");
        assertThat(onDisk).isDirectory();
        operator.send("DELETE", "/v1/orgs/" + org, null, 200);
        await().atMost(Duration.ofSeconds(30)).until(() -> !Files.exists(onDisk.getParent()));
        assertThat(status(admin)).isEqualTo(401);
    }

    private static int status(String key) {
        return given().header("Authorization", "Bearer " + key).get("/v1/repos/app").statusCode();
    }
}
