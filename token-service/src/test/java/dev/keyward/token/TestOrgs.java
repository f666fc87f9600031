package dev.keyward.token;

import static io.restassured.RestAssured.given;

import dev.keyward.token.service.TokenService;
import io.agroal.api.AgroalDataSource;
import io.quarkus.vertx.VertxContextSupport;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

/** Fresh orgs with an admin key for each test, so tests never share limits or listings. */
@ApplicationScoped
public class TestOrgs {

    public static final String INTERNAL_SECRET = "test-internal-secret";

    private final TokenService tokens;
    private final AgroalDataSource db;

    public TestOrgs(TokenService tokens, AgroalDataSource db) {
        this.tokens = tokens;
        this.db = db;
    }

    /** An org and the key of its admin token (all permissions). */
    public record Org(String id, String adminKey) {
    }

    public Org create() {
        String id = "org-" + UUID.randomUUID().toString().substring(0, 12);
        AtomicReference<String> key = new AtomicReference<>();
        try {
            Boolean created = VertxContextSupport.subscribeAndAwait(() -> tokens.bootstrap(id, key::set));
            if (!created) {
                throw new IllegalStateException("org existed");
            }
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
        return new Org(id, key.get());
    }

    /** Runs one SQL update against the service's own database (policy tweaks, clock moves). */
    public int sql(String statement, Object... args) {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(statement)) {
            for (int i = 0; i < args.length; i++) {
                s.setObject(i + 1, args[i]);
            }
            return s.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    public long count(String query, Object... args) {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(query)) {
            for (int i = 0; i < args.length; i++) {
                s.setObject(i + 1, args[i]);
            }
            try (var rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One timestamp from the database, null when the column is null. */
    public java.time.Instant instant(String query, Object... args) {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(query)) {
            for (int i = 0; i < args.length; i++) {
                s.setObject(i + 1, args[i]);
            }
            try (var rs = s.executeQuery()) {
                rs.next();
                java.sql.Timestamp t = rs.getTimestamp(1);
                return t == null ? null : t.toInstant();
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The platform operator key the test profile's bootstrap wrote (orgs:read, orgs:write). */
    public static String operatorKey() {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("target/bootstrap/operator.token")).trim();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** PATCH /v1/orgs/{org}/policy as the org's admin; the policy after the change. */
    public static io.restassured.path.json.JsonPath policy(Org org, Map<String, Object> patch) {
        return given().header("Authorization", "Bearer " + org.adminKey()).contentType(ContentType.JSON).body(patch)
                .patch("/v1/orgs/" + org.id() + "/policy").then().statusCode(200).extract().jsonPath();
    }

    /** POST /v1/tokens as {@code key}. */
    public static Response create(String key, Map<String, Object> body) {
        return given().header("Authorization", "Bearer " + key).contentType(ContentType.JSON).body(body)
                .post("/v1/tokens");
    }

    /** A valid creation body. */
    public static Map<String, Object> body(String name, String kind, Map<String, List<String>> scopes) {
        return Map.of("name", name, "kind", kind, "scopes", scopes);
    }

    /** Creates a token and returns {id, token, ...} of the 201. */
    public static Map<String, Object> issue(String key, String name, String kind, Map<String, List<String>> scopes) {
        return create(key, body(name, kind, scopes)).then().statusCode(201).extract().jsonPath().getMap("");
    }
}
