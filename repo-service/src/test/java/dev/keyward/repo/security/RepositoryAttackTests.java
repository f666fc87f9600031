package dev.keyward.repo.security;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import dev.keyward.repo.TokenAuthority;
import dev.keyward.repo.TokenServiceTestResource;
import dev.keyward.repo.service.RepositoryStorage;
import dev.keyward.testsupport.KafkaTestResource;
import dev.keyward.testsupport.PostgresTestResource;
import dev.keyward.testsupport.RawHttp;
import dev.keyward.localstack.PostgresConnection;
import dev.keyward.testsupport.SharedInfrastructure;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * An org's token against another org's repositories (REST and git), path tricks in git URLs and
 * repository ids, and junk requests: 4xx with JSON, never the other org's data, never a change.
 */
@QuarkusTest
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "keyward_repo"))
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(value = TokenServiceTestResource.class, restrictToAnnotatedClass = true)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RepositoryAttackTests {

    private static final String VICTIM_ORG = "globex";

    @Inject
    RepositoryStorage storage;

    @TestHTTPResource("/")
    URL root;

    private String admin;
    private String victimRepo;
    private String ownRepo;

    @BeforeEach
    void seed() {
        if (admin != null) {
            return;
        }
        TokenAuthority tokens = TokenServiceTestResource.api();
        admin = tokens.createOrgToken(Map.of("org", List.of("org:read"), "repos:*", List.of("git:write", "repo:write"))).token();
        String run = UUID.randomUUID().toString().substring(0, 8);
        victimRepo = "victim-" + run + "/secret";
        ownRepo = "own-" + run + "/app";
        // Another org's repository, on disk and in the table, as that org would have created it.
        storage.create(VICTIM_ORG, victimRepo);
        sql("insert into repo_service.repositories (org, repo_id, default_branch, created_at) values ('" + VICTIM_ORG + "', ?, 'main', now())",
                victimRepo);
        given().header("Authorization", "Bearer " + admin).contentType(ContentType.JSON).body(Map.of("id", ownRepo))
                .post("/v1/repos").then().statusCode(201);
    }

    private static int sql(String statement, String arg) {
        PostgresConnection pg = SharedInfrastructure.postgres("keyward_repo");
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), pg.username(), pg.password());
             PreparedStatement s = c.prepareStatement(statement)) {
            s.setString(1, arg);
            if (statement.startsWith("select")) {
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    return rs.getInt(1);
                }
            }
            return s.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private String basic(String token) {
        return "Basic " + Base64.getEncoder().encodeToString(("agent:" + token).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void anotherOrgsRepositoriesAreOutOfReach() {
        given().header("x-api-key", admin).get("/v1/repos/" + victimRepo).then().statusCode(404).body("error", equalTo("not_found"));
        given().header("x-api-key", admin).delete("/v1/repos/" + victimRepo).then().statusCode(404);
        given().header("x-api-key", admin).queryParam("prefix", victimRepo.split("/")[0]).get("/v1/repos").then().statusCode(200)
                .body("repositories.size()", equalTo(0));
        for (String service : List.of("git-upload-pack", "git-receive-pack")) {
            given().header("Authorization", basic(admin)).get("/" + VICTIM_ORG + "/" + victimRepo + ".git/info/refs?service=" + service)
                    .then().statusCode(403).body("error", equalTo("wrong_org"));
        }
        given().header("Authorization", basic(admin)).contentType("application/x-git-receive-pack-request").body(new byte[] {0, 0, 0, 0})
                .post("/" + VICTIM_ORG + "/" + victimRepo + ".git/git-receive-pack").then().statusCode(403);
        // Still there, untouched.
        assertThat(storage.exists(VICTIM_ORG, victimRepo)).isTrue();
        assertThat(sql("select count(*) from repo_service.repositories where org = 'globex' and repo_id = ?", victimRepo)).isEqualTo(1);
    }

    @Test
    void pathTricksInGitUrlsLandNowhere() {
        String[] parts = victimRepo.split("/");
        List<String> paths = List.of(
                "/acme/../" + VICTIM_ORG + "/" + victimRepo + ".git/info/refs?service=git-upload-pack",
                "/acme/%2e%2e/" + VICTIM_ORG + "/" + victimRepo + ".git/info/refs?service=git-upload-pack",
                "/acme/" + ownRepo.split("/")[0] + "/..%2f..%2f" + VICTIM_ORG + "%2f" + parts[0] + "%2f" + parts[1] + ".git/info/refs?service=git-upload-pack",
                "/acme/" + "..%252f" + VICTIM_ORG + "/" + victimRepo + ".git/info/refs?service=git-upload-pack",
                "/acme/" + ownRepo + ".git/../../../" + VICTIM_ORG + "/" + victimRepo + ".git/info/refs?service=git-upload-pack",
                "/acme/" + ownRepo.replace("/", "%00/") + ".git/info/refs?service=git-upload-pack",
                "/v1/repos/..%2F..%2F" + VICTIM_ORG + "%2F" + parts[0] + "%2F" + parts[1]);
        for (String path : paths) {
            RawHttp.Reply reply = RawHttp.get("127.0.0.1", root.getPort(), path, "Authorization: " + basic(admin));
            assertThat(reply.status()).as(path).isBetween(400, 404);
            assertThat(reply.body()).as(path).doesNotContain("# service=").doesNotContain("refs/heads").doesNotContain(parts[0]);
        }
        // The caller's own repository still answers, so the refusals above are about the paths.
        given().header("Authorization", basic(admin)).get("/acme/" + ownRepo + ".git/info/refs?service=git-upload-pack").then().statusCode(200);
    }

    @Test
    void junkRequestsGetJsonErrorsAndCreateNothing() throws Exception {
        for (String body : List.of("{", "[]", "{\"id\": {\"a\": 1}}", "\u0000")) {
            int status = given().header("x-api-key", admin).contentType(ContentType.JSON).body(body.getBytes(StandardCharsets.UTF_8))
                    .post("/v1/repos").then().contentType(ContentType.JSON).body("error", notNullValue()).extract().statusCode();
            assertThat(status).as(body).isIn(400, 422);
        }
        for (String id : List.of("a\u0000b", "\u202eevil", "caf\u00e9", "a\\b", "C:/x", "~/x", "a/./b", " a", "a\nb")) {
            given().header("x-api-key", admin).contentType(ContentType.JSON).body(Map.of("id", id)).post("/v1/repos")
                    .then().statusCode(400).body("error", equalTo("invalid_repo_id"));
        }
        given().header("x-api-key", admin).contentType("text/plain").body("id=x").post("/v1/repos").then().statusCode(415)
                .body("error", notNullValue());
        for (String header : List.of("Basic " + Base64.getEncoder().encodeToString("no-colon".getBytes(StandardCharsets.UTF_8)),
                "Basic %%%", "Bearer", "Digest username=x")) {
            given().header("Authorization", header).get("/acme/" + ownRepo + ".git/info/refs?service=git-upload-pack").then().statusCode(401)
                    .header("WWW-Authenticate", "Basic realm=\"keyward\"").body("error", equalTo("malformed"));
        }
        assertThat(Files.exists(java.nio.file.Path.of("target/test-repos/acme/caf\u00e9.git"))).isFalse();
    }

    /** Wrong types and duplicate keys in a body, NUL and junk in parameters: 400 naming the field, nothing created. */
    @Test
    void strictBodiesAndParametersNameWhatIsWrong() {
        given().header("x-api-key", admin).contentType(ContentType.JSON).body("{\"id\": true}").post("/v1/repos")
                .then().statusCode(400).contentType(ContentType.JSON)
                .body("error", equalTo("malformed_json")).body("message", containsString("'id' must be a string"));
        given().header("x-api-key", admin).contentType(ContentType.JSON).body("{\"id\": 42}").post("/v1/repos")
                .then().statusCode(400).body("message", containsString("'id'"));
        given().header("x-api-key", admin).contentType(ContentType.JSON).body("{\"id\": \"dup-a\", \"id\": \"dup-b\"}")
                .post("/v1/repos").then().statusCode(400).contentType(ContentType.JSON)
                .body("error", equalTo("malformed_json")).body("message", containsString("'id'"));
        given().header("x-api-key", admin).contentType(ContentType.JSON).body("{\"id\": \"typo-x\", \"default_branh\": \"dev\"}")
                .post("/v1/repos").then().statusCode(422).contentType(ContentType.JSON)
                .body("error", equalTo("unknown_field")).body("message", containsString("'default_branh'"));
        for (String id : List.of("true", "42", "dup-a", "dup-b", "typo-x")) {
            assertThat(storage.exists(TokenAuthority.ORG, id)).as(id).isFalse();
        }

        for (String query : List.of("prefix=%00", "prefix=a%00b", "prefix=%0a", "page_size=abc", "page_size=%00", "page_token=%00")) {
            for (String path : List.of("/v1/repos?", "/api/v1/repos?")) {
                given().header("x-api-key", admin).urlEncodingEnabled(false).get(path + query).then()
                        .statusCode(400).contentType(ContentType.JSON)
                        .body("message", containsString(query.substring(0, query.indexOf('='))));
            }
        }
        given().header("x-api-key", admin).urlEncodingEnabled(false).get("/v1/repos/own%00x").then().statusCode(400)
                .body("error", equalTo("invalid_repo_id"));
        given().header("x-api-key", admin).urlEncodingEnabled(false).delete("/api/v1/repos/own%00x").then().statusCode(400)
                .body("error", equalTo("invalid_repo_id"));
    }
}
