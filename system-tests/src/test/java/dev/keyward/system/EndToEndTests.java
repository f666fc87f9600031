package dev.keyward.system;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.keyward.testsupport.LocalStack;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The system as a user meets it: {@code ./keyward up}'s stack (embedded PostgreSQL and Kafka, the
 * three packaged services as processes), driven with HTTP and the real git CLI. Proves events
 * written by one service are read by another through the broker.
 */
class EndToEndTests {

    @TempDir
    static Path work;

    static LocalStack stack;
    static String adminToken;

    @BeforeAll
    static void startStack() throws IOException {
        stack = new LocalStack(work.resolve("home"), LocalStack.Ports.free());
        stack.start();
        Path tokenFile = stack.adminTokenFile();
        adminToken = Files.readString(tokenFile).trim();
        assertThat(Files.getPosixFilePermissions(tokenFile))
                .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
    }

    @AfterAll
    static void stopStack() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void aTokenCreatedInTheTokenServiceLandsInTheAuditTrail() {
        String tokenId = createToken("e2e-audit", "repo", Map.of("repos:e2e/*", List.of("git:read"))).getString("id");

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            JsonPath page = given().header("Authorization", "Bearer " + adminToken)
                    .queryParam("type", "token:created").queryParam("token_id", tokenId)
                    .get(stack.auditServiceUrl() + "/v1/audit/events")
                    .then().statusCode(200).extract().jsonPath();
            assertThat(page.getList("events.subject", String.class)).containsExactly(tokenId);
        });
    }

    @Test
    void aScopedTokenClonesAndPushesItsRepositoriesOnlyUntilRevoked() throws Exception {
        given().header("Authorization", "Bearer " + adminToken).contentType(ContentType.JSON)
                .body(Map.of("id", "team/hello")).post(stack.repoServiceUrl() + "/v1/repos")
                .then().statusCode(201);
        given().header("Authorization", "Bearer " + adminToken).contentType(ContentType.JSON)
                .body(Map.of("id", "other/x")).post(stack.repoServiceUrl() + "/v1/repos")
                .then().statusCode(201);
        JsonPath created = createToken("e2e-ci", "repo", Map.of("repos:team/*", List.of("git:read", "git:write")));
        String token = created.getString("token");

        Path clone = work.resolve("hello");
        assertThat(git(work, "clone", url(token, "team/hello"), clone.toString()).exitCode).isZero();
        Files.writeString(clone.resolve("README.md"), "hello\n");
        assertThat(git(clone, "add", "README.md").exitCode).isZero();
        assertThat(git(clone, "commit", "-m", "first").exitCode).isZero();
        GitResult push = git(clone, "push", "origin", "HEAD:refs/heads/main");
        assertThat(push.exitCode).as(push.output).isZero();

        GitResult outside = git(work, "clone", url(token, "other/x"), work.resolve("x").toString());
        assertThat(outside.exitCode).isNotZero();
        assertThat(outside.output).contains("403");

        given().header("Authorization", "Bearer " + adminToken)
                .delete(stack.tokenServiceUrl() + "/v1/tokens/" + created.getString("id"))
                .then().statusCode(200);
        await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(50)).untilAsserted(() ->
                assertThat(git(work, "ls-remote", url(token, "team/hello")).exitCode).isNotZero());

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            JsonPath page = given().header("Authorization", "Bearer " + adminToken)
                    .queryParam("token_id", created.getString("id"))
                    .get(stack.auditServiceUrl() + "/v1/audit/events")
                    .then().statusCode(200).extract().jsonPath();
            assertThat(page.getList("events.type", String.class))
                    .contains("token:created", "token:used", "token:revoked");
        });
    }

    private static JsonPath createToken(String name, String kind, Map<String, List<String>> scopes) {
        return given().header("Authorization", "Bearer " + adminToken).contentType(ContentType.JSON)
                .body(Map.of("name", name, "kind", kind, "scopes", scopes, "expires_in", 86_400))
                .post(stack.tokenServiceUrl() + "/v1/tokens")
                .then().statusCode(201).extract().jsonPath();
    }

    private static String url(String token, String repo) {
        return "http://ci:" + token + "@127.0.0.1:" + stack.repoServiceUrl().replaceAll(".*:", "") + "/"
                + LocalStack.BOOTSTRAP_ORG + "/" + repo + ".git";
    }

    record GitResult(int exitCode, String output) {
    }

    private static GitResult git(Path dir, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("git"));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().put("HOME", work.toString());
        pb.environment().put("GIT_TERMINAL_PROMPT", "0");
        pb.environment().put("GIT_CONFIG_NOSYSTEM", "1");
        pb.environment().put("GIT_AUTHOR_NAME", "Keyward Test");
        pb.environment().put("GIT_AUTHOR_EMAIL", "test@keyward.invalid");
        pb.environment().put("GIT_COMMITTER_NAME", "Keyward Test");
        pb.environment().put("GIT_COMMITTER_EMAIL", "test@keyward.invalid");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new GitResult(p.waitFor(), out);
    }

}
