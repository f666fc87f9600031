package dev.keyward.repo.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.notNullValue;

import dev.keyward.repo.CustomerJwts;
import dev.keyward.repo.TokenAuthority;
import dev.keyward.localstack.PostgresConnection;
import dev.keyward.testsupport.SharedInfrastructure;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jose4j.jwk.PublicJsonWebKey;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The repository management API and its authorization. Run against the real token-service
 * ({@link RepositoryApiTests}) and against the in-JVM stand-in ({@link RepositoryApiInJvmTests}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class RepositoryApiContract {

    private static final Path REPOS = Path.of("target/test-repos", TokenAuthority.ORG);
    private TokenAuthority tokens;
    private String admin;
    private String run;

    /** Who issues the tokens of this run. */
    protected abstract TokenAuthority authority();

    @BeforeAll
    void tokens() {
        tokens = authority();
        admin = tokens.createOrgToken(Map.of("org", List.of("org:read"), "repos:*", List.of("git:write", "repo:write"))).token();
        run = UUID.randomUUID().toString().substring(0, 8);
    }

    private Response create(String token, Object body) {
        return given().header("Authorization", "Bearer " + token).contentType(ContentType.JSON).body(body).post("/v1/repos");
    }

    @Test
    void createsRepositoriesWithGivenOrGeneratedIds() {
        String id = "team-" + run + "/project-alpha";
        create(admin, Map.of("id", id)).then().statusCode(201)
                .body("id", equalTo(id))
                .body("default_branch", equalTo("main"))
                .body("created_at", notNullValue());
        assertThat(REPOS.resolve(id + ".git/HEAD")).exists();

        String generated = create(admin, Map.of()).then().statusCode(201)
                .body("id", matchesPattern("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"))
                .extract().path("id");
        assertThat(Files.isDirectory(REPOS.resolve(generated + ".git"))).isTrue();

        create(admin, Map.of("id", id)).then().statusCode(409).body("error", equalTo("conflict"));
    }

    /** A row of another org in the same table: listings must never show it. */
    private static void insertRepositoryOfAnotherOrg(String id) {
        PostgresConnection pg = SharedInfrastructure.postgres("keyward_repo");
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), pg.username(), pg.password());
             PreparedStatement s = c.prepareStatement("insert into repo_service.repositories (org, repo_id, default_branch, created_at)"
                     + " values ('globex', ?, 'main', now())")) {
            s.setString(1, id);
            s.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void refusesIdsThatCouldEscapeOrBreakTheLayout() {
        for (String bad : List.of("../etc", "/abs", "a//b", "a/../../b", "x.git", "sp ace", "a".repeat(201), "")) {
            create(admin, Map.of("id", bad)).then().statusCode(400)
                    .body("error", equalTo("invalid_repo_id"))
                    .body("message", notNullValue());
        }
        assertThat(Path.of("target/test-repos/etc.git")).doesNotExist();
    }

    @Test
    void listsOnlyTheOrgsRepositoriesByPrefixAndPage() {
        String ns = "list-" + run;
        for (String name : List.of("a", "b", "c", "d", "e")) {
            create(admin, Map.of("id", ns + "/" + name)).then().statusCode(201);
        }
        create(admin, Map.of("id", ns + "x_other")).then().statusCode(201);
        insertRepositoryOfAnotherOrg(ns + "/c2");

        List<String> ids = new ArrayList<>();
        String pageToken = null;
        do {
            var req = given().header("Authorization", "Bearer " + admin).queryParam("prefix", ns + "/").queryParam("page_size", 2);
            if (pageToken != null) {
                req.queryParam("page_token", pageToken);
            }
            Response page = req.get("/v1/repos");
            page.then().statusCode(200);
            ids.addAll(page.jsonPath().getList("repositories.id"));
            assertThat(page.jsonPath().getList("repositories")).hasSizeLessThanOrEqualTo(2);
            pageToken = page.jsonPath().getString("next_page_token");
        } while (pageToken != null);
        assertThat(ids).containsExactly(ns + "/a", ns + "/b", ns + "/c", ns + "/d", ns + "/e");

        given().header("Authorization", "Bearer " + admin).queryParam("page_token", "!!").get("/v1/repos")
                .then().statusCode(400).body("error", equalTo("invalid_page_token"));
        given().header("Authorization", "Bearer " + admin).queryParam("page_size", 0).get("/v1/repos")
                .then().statusCode(400).body("error", equalTo("invalid_page_size"));
    }

    @Test
    void everyCallNeedsItsPermission() {
        String id = "perm-" + run + "/one";
        create(admin, Map.of("id", id)).then().statusCode(201);
        String reader = tokens.createRepoToken(Map.of("repos:perm-" + run + "/*", List.of("git:read"))).token();

        given().get("/v1/repos").then().statusCode(401)
                .header("WWW-Authenticate", "Basic realm=\"keyward\"")
                .body("error", equalTo("missing"));
        given().header("Authorization", "Bearer kw_prod_o_notarealkeyatall000000000000_abcdef").get("/v1/repos")
                .then().statusCode(401).body("error", equalTo("malformed"));
        given().header("x-api-key", reader).get("/v1/repos").then().statusCode(403).body("error", equalTo("scope"));
        create(reader, Map.of("id", "perm-" + run + "/two")).then().statusCode(403).body("error", equalTo("scope"));

        given().header("x-api-key", reader).get("/v1/repos/" + id).then().statusCode(200)
                .body("id", equalTo(id)).body("default_branch", equalTo("main"));
        given().header("x-api-key", reader).get("/v1/repos/perm-" + run + "/missing").then().statusCode(404)
                .body("error", equalTo("not_found"));
        given().header("x-api-key", reader).get("/v1/repos/other/x").then().statusCode(403);
        given().header("x-api-key", reader).delete("/v1/repos/" + id).then().statusCode(403);
    }

    @Test
    void deleteRemovesTheRowAndTheRepository() {
        String id = "del-" + run + "/gone";
        create(admin, Map.of("id", id)).then().statusCode(201);
        assertThat(REPOS.resolve(id + ".git")).isDirectory();

        given().header("Authorization", "Bearer " + admin).delete("/v1/repos/" + id).then().statusCode(200)
                .body("id", equalTo(id)).body("deleted", equalTo(true));
        assertThat(REPOS.resolve(id + ".git")).doesNotExist();
        assertThat(REPOS.resolve("del-" + run)).as("empty namespace directory removed").doesNotExist();
        given().header("Authorization", "Bearer " + admin).get("/v1/repos/" + id).then().statusCode(404);
        given().header("Authorization", "Bearer " + admin).delete("/v1/repos/" + id).then().statusCode(404);
        create(admin, Map.of("id", id)).then().statusCode(201);
    }

    /** Seed 000's SDK path: the same calls, statuses and bodies under /api/v1/repos. */
    @Test
    void theSdkPathAnswersExactlyAsTheApiPath() {
        String ns = "sdk-" + run;
        String id = ns + "/tool";
        given().header("Authorization", "Bearer " + admin).contentType(ContentType.JSON).body(Map.of("id", id))
                .post("/api/v1/repos").then().statusCode(201)
                .body("id", equalTo(id)).body("default_branch", equalTo("main")).body("created_at", notNullValue());
        assertThat(REPOS.resolve(id + ".git/HEAD")).exists();
        given().header("Authorization", "Bearer " + admin).contentType(ContentType.JSON).body(Map.of("id", id))
                .post("/api/v1/repos").then().statusCode(409).body("error", equalTo("conflict"));

        Map<String, Object> viaSdk = given().header("x-api-key", admin).get("/api/v1/repos/" + id)
                .then().statusCode(200).extract().jsonPath().getMap("");
        assertThat(viaSdk).isEqualTo(given().header("x-api-key", admin).get("/v1/repos/" + id)
                .then().statusCode(200).extract().jsonPath().getMap(""));
        given().header("x-api-key", admin).queryParam("prefix", ns + "/").get("/api/v1/repos").then().statusCode(200)
                .body("repositories.id", equalTo(List.of(id)));
        given().get("/api/v1/repos").then().statusCode(401).header("WWW-Authenticate", "Basic realm=\"keyward\"");

        given().header("x-api-key", admin).delete("/api/v1/repos/" + id).then().statusCode(200)
                .body("id", equalTo(id)).body("deleted", equalTo(true));
        assertThat(REPOS.resolve(id + ".git")).doesNotExist();
        given().header("x-api-key", admin).get("/v1/repos/" + id).then().statusCode(404).body("error", equalTo("not_found"));
        given().header("x-api-key", admin).delete("/api/v1/repos/" + id).then().statusCode(404).body("error", equalTo("not_found"));
    }

    /**
     * SPEC (seed 000): a customer-signed JWT whose {@code repo} names a repository and whose scopes
     * hold {@code repo:write} may create and delete that one repository, and no other.
     */
    @Test
    void aCustomerJwtCreatesAndDeletesItsOwnRepositoryOnly() throws Exception {
        String own = "jwt-" + run + "/own";
        String other = "jwt-" + run + "/other";
        PublicJsonWebKey key = CustomerJwts.registeredEs256Key(tokens);
        String jwt = CustomerJwts.sign(key, CustomerJwts.claims(own, c -> c.setStringListClaim("scopes", "repo:write")));
        // A new kid is picked up by the next key refresh (at most one per org per second): until
        // then the JWT is refused as unknown (401), and then another id is refused for its scope.
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200))
                .until(() -> create(jwt, Map.of("id", other)).statusCode() != 401);
        create(jwt, Map.of("id", other)).then().statusCode(403).body("error", equalTo("scope"));
        create(jwt, Map.of()).then().statusCode(403).body("error", equalTo("scope"));

        given().header("Authorization", "Bearer " + jwt).contentType(ContentType.JSON).body(Map.of("id", own))
                .post("/api/v1/repos").then().statusCode(201).body("id", equalTo(own));
        assertThat(REPOS.resolve(own + ".git/HEAD")).exists();
        assertThat(REPOS.resolve(other + ".git")).doesNotExist();

        create(admin, Map.of("id", other)).then().statusCode(201);
        given().header("Authorization", "Bearer " + jwt).delete("/v1/repos/" + other).then().statusCode(403);
        given().header("Authorization", "Bearer " + jwt).delete("/v1/repos/" + own).then().statusCode(200)
                .body("id", equalTo(own)).body("deleted", equalTo(true));
        assertThat(REPOS.resolve(own + ".git")).doesNotExist();
        assertThat(REPOS.resolve(other + ".git")).isDirectory();

        // An org-wide JWT (no repo) holds org:read and nothing more.
        String orgWide = CustomerJwts.sign(key, CustomerJwts.claims(null, c -> c.setStringListClaim("scopes", "org:read")));
        create(orgWide, Map.of("id", own)).then().statusCode(403).body("error", equalTo("scope"));
        String noRepo = CustomerJwts.sign(key, CustomerJwts.claims(null, c -> c.setStringListClaim("scopes", "repo:write")));
        create(noRepo, Map.of("id", own)).then().statusCode(401);
        assertThat(REPOS.resolve(own + ".git")).doesNotExist();
    }

    /** SPEC: a token expiring within the org's notice_days gets a Sunset header (RFC 8594) on the REST API too. */
    @Test
    void aKeyExpiringSoonGetsSunsetOnTheApi() {
        String id = "sunset-" + run + "/app";
        create(admin, Map.of("id", id)).then().statusCode(201);
        TokenAuthority.Issued soon = tokens.createToken("repo", Map.of("repos:sunset-" + run + "/*", List.of("git:read")),
                3 * 86_400L, null);
        String sunset = given().header("x-api-key", soon.token()).get("/v1/repos/" + id).then().statusCode(200)
                .extract().header("Sunset");
        assertThat(sunset).isNotNull();
        Instant at = ZonedDateTime.parse(sunset, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        assertThat(Duration.between(Instant.now(), at)).isBetween(Duration.ofDays(2), Duration.ofDays(3));
        assertThat(given().header("x-api-key", soon.token()).get("/api/v1/repos/" + id).then().statusCode(200)
                .extract().header("Sunset")).isEqualTo(sunset);
        // Refused for its scope: no notice on a refusal.
        assertThat(given().header("x-api-key", soon.token()).delete("/v1/repos/" + id).then().statusCode(403)
                .extract().header("Sunset")).isNull();

        // The admin's 30-day key is far from its expiry.
        assertThat(given().header("x-api-key", admin).get("/v1/repos/" + id).then().statusCode(200)
                .extract().header("Sunset")).isNull();
    }
}
