package dev.keyward.token.oidc;

import dev.keyward.testsupport.KeycloakTestResource;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

import dev.keyward.testsupport.KafkaTestResource;
import dev.keyward.testsupport.PostgresTestResource;
import dev.keyward.token.TestOrgs;
import dev.keyward.token.jobs.MailServerResource;
import dev.keyward.token.service.TokenService;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * People on the token API with access tokens of a real Keycloak, beside Keyward keys: role rules
 * (org-admin: the whole org; org-member: own tokens only), the org from the {@code org} claim,
 * the subset rule against a person's grants, and the CI robot's client-credentials token.
 */
@QuarkusTest
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "keyward_token"))
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(value = KeycloakTestResource.class, restrictToAnnotatedClass = true,
        initArgs = @io.quarkus.test.common.ResourceArg(name = "web", value = "true"))
class OidcApiTests {

    private static final Map<String, List<String>> GIT_READ = Map.of("repos:*", List.of("git:read"));

    @Inject
    TokenService tokens;
    @Inject
    TestOrgs orgs;

    @BeforeEach
    void otherOrgExists() throws Throwable {
        // mallory's org; "demo" comes from the test profile's bootstrap
        VertxContextSupport.subscribeAndAwait(() -> tokens.bootstrap("other", key -> { }));
    }

    @Test
    void anAdminCreatesListsAndRevokesWithTheirAccessToken() {
        String alice = Realm.passwordToken("alice");
        Response created = create(alice, "alice laptop", GIT_READ);
        created.then().statusCode(201).body("token", startsWith("kw_"));
        String id = created.path("id");

        given().auth().oauth2(alice).get("/v1/tokens/" + id).then().statusCode(200)
                .body("created_by.user_id", equalTo(Realm.claim(alice, "sub")))
                .body("created_by.name", equalTo("Alice Admin"))
                .body("created_by.token_prefix", equalTo(null))
                .body("environment", equalTo("prod"));
        given().auth().oauth2(alice).get("/v1/tokens?page_size=200").then().statusCode(200)
                .body("tokens.id", hasItem(id));
        given().auth().oauth2(alice).delete("/v1/tokens/" + id).then().statusCode(200).body("revoked", equalTo(true));
        given().auth().oauth2(alice).get("/v1/tokens?page_size=200").then().statusCode(200)
                .body("tokens.id", not(hasItem(id)));
        // An org admin holds audit:read: the export is open to her
        given().auth().oauth2(alice).get("/v1/tokens/export").then().statusCode(200).body("org", equalTo("demo"));
    }

    @Test
    void aMemberSeesAndManagesOnlyTheirOwnTokensWhileAnAdminSeesAll() {
        String alice = Realm.passwordToken("alice");
        String bob = Realm.passwordToken("bob");
        String alices = create(alice, "alice ci", GIT_READ).then().statusCode(201).extract().path("id");
        String bobs = create(bob, "bob laptop", Map.of("repos:*", List.of("git:read", "git:write"), "org", List.of("org:read")))
                .then().statusCode(201).extract().path("id");

        List<String> bobSees = given().auth().oauth2(bob).get("/v1/tokens?page_size=200&state=all")
                .then().statusCode(200).extract().path("tokens.id");
        assertThat(bobSees).contains(bobs).doesNotContain(alices);
        List<String> creators = given().auth().oauth2(bob).get("/v1/tokens?page_size=200&state=all")
                .then().extract().path("tokens.created_by.user_id");
        assertThat(creators).containsOnly(Realm.claim(bob, "sub"));
        given().auth().oauth2(alice).get("/v1/tokens?page_size=200").then().statusCode(200)
                .body("tokens.id", hasItem(alices)).body("tokens.id", hasItem(bobs));

        given().auth().oauth2(bob).get("/v1/tokens/" + alices).then().statusCode(404).body("error", equalTo("not_found"));
        given().auth().oauth2(bob).delete("/v1/tokens/" + alices).then().statusCode(404);
        given().auth().oauth2(bob).contentType(ContentType.JSON).body("{}").post("/v1/tokens/" + alices + "/rotate")
                .then().statusCode(404);
        given().auth().oauth2(alice).get("/v1/tokens/" + alices).then().statusCode(200).body("revoked_at", equalTo(null));

        given().auth().oauth2(bob).contentType(ContentType.JSON).body("{}").post("/v1/tokens/" + bobs + "/rotate")
                .then().statusCode(200).body("id", equalTo(bobs));
        given().auth().oauth2(bob).delete("/v1/tokens/" + bobs).then().statusCode(200);
        // ... and the admin manages everyone's
        given().auth().oauth2(alice).delete("/v1/tokens/" + alices).then().statusCode(200);
    }

    @Test
    void aMemberCannotGrantMoreThanAMemberHolds() {
        String bob = Realm.passwordToken("bob");
        create(bob, "bob admin attempt", Map.of("org", List.of("token:write"))).then().statusCode(403)
                .body("error", equalTo("scope_escalation")).body("excess", hasItem("org=token:write"));
        given().auth().oauth2(bob).get("/v1/tokens/export").then().statusCode(403).body("error", equalTo("forbidden"));
    }

    @Test
    void anotherOrgsAdminCannotTouchDemosTokens() {
        String alice = Realm.passwordToken("alice");
        String mallory = Realm.passwordToken("mallory");
        String demos = create(alice, "demo deploy", GIT_READ).then().statusCode(201).extract().path("id");

        given().auth().oauth2(mallory).get("/v1/tokens/" + demos).then().statusCode(404);
        given().auth().oauth2(mallory).delete("/v1/tokens/" + demos).then().statusCode(404);
        given().auth().oauth2(mallory).get("/v1/tokens?page_size=200&state=all").then().statusCode(200)
                .body("tokens.id", not(hasItem(demos)));
        // what mallory creates lands in her own org
        String hers = create(mallory, "other deploy", GIT_READ).then().statusCode(201).extract().path("id");
        given().auth().oauth2(alice).get("/v1/tokens/" + hers).then().statusCode(404);
        given().auth().oauth2(alice).get("/v1/tokens/" + demos).then().statusCode(200).body("revoked_at", equalTo(null));
        given().auth().oauth2(alice).delete("/v1/tokens/" + demos).then().statusCode(200);
        given().auth().oauth2(mallory).delete("/v1/tokens/" + hers).then().statusCode(200);
    }

    @Test
    void theCiRobotWorksWithAClientCredentialsToken() {
        String ci = Realm.ciToken();
        String id = create(ci, "pipeline", GIT_READ).then().statusCode(201).extract().path("id");
        given().auth().oauth2(ci).get("/v1/tokens/" + id).then().statusCode(200)
                .body("created_by.user_id", equalTo(Realm.claim(ci, "sub")))
                .body("created_by.name", equalTo("service-account-keyward-ci"));
        given().auth().oauth2(ci).get("/v1/tokens?page_size=200").then().statusCode(200).body("tokens.id", hasItem(id));
        given().auth().oauth2(ci).delete("/v1/tokens/" + id).then().statusCode(200);
    }

    @Test
    void keywardKeysStillWorkAndBadOidcTokensAreRefused() {
        TestOrgs.Org org = orgs.create();
        given().auth().oauth2(org.adminKey()).get("/v1/tokens").then().statusCode(200).body("tokens.size()", equalTo(1));

        String alice = Realm.passwordToken("alice");
        String[] parts = alice.split("\\.");
        String tampered = parts[0] + "." + parts[1] + "." + new StringBuilder(parts[2]).reverse();
        given().auth().oauth2(tampered).get("/v1/tokens").then().statusCode(401).body("error", equalTo("unauthorized"));
        // A person has no key of their own to rotate
        given().auth().oauth2(alice).post("/v1/tokens/self/rotate").then().statusCode(403);
        // Without any credential the Keyward verifier answers as before
        given().get("/v1/tokens").then().statusCode(401);
    }

    /**
     * A person's e-mail claim goes with the tokens they create: with a fresh realm and no SQL, a
     * token alice creates that expires within the org's notice period mails alice herself.
     */
    @Test
    void aPersonsTokenNearItsExpiryMailsThatPerson() {
        String alice = Realm.passwordToken("alice");
        String prefix = given().auth().oauth2(alice).contentType(ContentType.JSON)
                .body(Map.of("name", "alice expiring", "kind", "repo", "scopes", GIT_READ, "expires_in", 10 * 86_400))
                .post("/v1/tokens").then().statusCode(201).extract().path("key_prefix");
        given().header("X-Keyward-Internal", TestOrgs.INTERNAL_SECRET).post("/internal/jobs/deprecation/run")
                .then().statusCode(200);
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60)).untilAsserted(() -> {
            given().header("X-Keyward-Internal", TestOrgs.INTERNAL_SECRET).post("/internal/jobs/notifications/run")
                    .then().statusCode(200);
            assertThat(java.util.Arrays.stream(MailServerResource.server().getReceivedMessages())
                    .filter(m -> subject(m).contains(prefix))
                    .map(m -> recipients(m)).toList()).containsExactly("alice@keyward.test");
        });
    }

    /** A platform operator signs in too: orgs, and nothing inside any org; a suspended org's people are refused. */
    @Test
    void anOperatorManagesOrgsAndASuspendedOrgsPeopleAreRefused() {
        String operator = Realm.passwordToken("operator");
        given().auth().oauth2(operator).get("/v1/orgs").then().statusCode(200).body("orgs.id", hasItem("other"));
        given().auth().oauth2(operator).get("/v1/tokens").then().statusCode(403);
        create(operator, "sneaky", GIT_READ).then().statusCode(403);

        String mallory = Realm.passwordToken("mallory");
        given().auth().oauth2(mallory).get("/v1/tokens").then().statusCode(200);
        given().auth().oauth2(operator).post("/v1/orgs/other/suspend").then().statusCode(200).body("state", equalTo("suspended"));
        try {
            // Suspension and resumption reach the org rules through their events: within a second or so.
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).untilAsserted(() ->
                    given().auth().oauth2(mallory).get("/v1/tokens").then().statusCode(403));
        } finally {
            given().auth().oauth2(operator).post("/v1/orgs/other/resume").then().statusCode(200);
        }
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).untilAsserted(() ->
                given().auth().oauth2(mallory).get("/v1/tokens").then().statusCode(200));
    }

    private static String subject(jakarta.mail.internet.MimeMessage m) {
        try {
            return m.getSubject();
        } catch (jakarta.mail.MessagingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String recipients(jakarta.mail.internet.MimeMessage m) {
        try {
            return java.util.Arrays.stream(m.getAllRecipients()).map(Object::toString).collect(java.util.stream.Collectors.joining(","));
        } catch (jakarta.mail.MessagingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Response create(String bearer, String name, Map<String, List<String>> scopes) {
        return given().auth().oauth2(bearer).contentType(ContentType.JSON)
                .body(Map.of("name", name, "kind", "org", "scopes", scopes, "expires_in", 86_400))
                .post("/v1/tokens");
    }
}
