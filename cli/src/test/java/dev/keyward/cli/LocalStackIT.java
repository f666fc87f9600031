package dev.keyward.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keyward.contract.ApiKeyFormat;
import dev.keyward.localstack.LocalStack;
import dev.keyward.localstack.ServiceProcess;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged CLI as people and CI use it against the real local stack: embedded PostgreSQL and
 * Kafka, the three packaged services, Keycloak for signing in, and the real git CLI. CI passes
 * {@code KEYWARD_TOKEN} in the environment; a person signs in with {@code keyward login}.
 */
class LocalStackIT {

    @TempDir
    static Path work;

    static LocalStack stack;
    static String adminToken;
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void startStack() throws IOException {
        stack = new LocalStack(work.resolve("home"), LocalStack.Ports.free(), true)
                // Secretless CI: the stack's Keycloak on loopback http stands for a CI platform's issuer.
                .serviceEnv("KEYWARD_EXCHANGE_ISSUER_ALLOW_HTTP", "true")
                .serviceEnv("KEYWARD_EXCHANGE_ISSUER_ALLOWED_CIDRS", "127.0.0.0/8");
        stack.start();
        adminToken = Files.readString(stack.adminTokenFile()).trim();
    }

    @AfterAll
    static void stopStack() {
        if (stack != null) {
            stack.close();
        }
    }

    /**
     * The CLI pointed at the stack through the environment, with its own empty config folder, in a wide terminal
     * so a table's rows are read whole (wrapping at the default width is the table's own unit test).
     */
    static CliProcess cli(String token) {
        CliProcess cli = new CliProcess()
                .env("COLUMNS", "400")
                .env("KEYWARD_URL", stack.tokenServiceUrl())
                .env("KEYWARD_REPO_URL", stack.repoServiceUrl())
                .env("KEYWARD_AUDIT_URL", stack.auditServiceUrl())
                .env("XDG_CONFIG_HOME", work.resolve("config").toString());
        if (token != null) {
            cli.env("KEYWARD_TOKEN", token);
        }
        return cli;
    }

    static CliProcess admin() {
        return cli(adminToken);
    }

    /** The CLI of a person who signs in through the stack's Keycloak: their own config folder, no token. */
    static CliProcess person(String user) {
        return cli(null).env("XDG_CONFIG_HOME", work.resolve("people/" + user).toString())
                .env("KEYWARD_ISSUER", stack.keycloakRealmUrl());
    }

    @Test
    void aPersonSignsInCreatesAScopedTokenClonesWithItRevokesItAndExportsTheTrail() throws Exception {
        assertThat(admin().run("repo", "create", "people/app").exit()).isZero();

        CliProcess.Result login = BrowserSignIn.login(person("alice"), stack.keycloakRealmUrl(), "alice");
        assertThat(login.exit()).as(login.toString()).isZero();
        assertThat(login.err()).contains("Signed in as alice (org demo)");

        // Everything below uses the stored session: no KEYWARD_TOKEN in the environment.
        CliProcess.Result created = person("alice").run("--json", "token", "create", "--name", "alice-laptop",
                "--kind", "repo", "--scope", "repos:people/*=git:read", "--expires-in", "1d");
        assertThat(created.exit()).as(created.toString()).isZero();
        JsonNode issued = JSON.readTree(created.out());
        String secret = issued.path("token").asText();
        String tokenId = issued.path("id").asText();
        assertThat(ApiKeyFormat.parse(secret)).isPresent();

        CliProcess.Result shown = person("alice").run("--json", "token", "show", tokenId);
        assertThat(shown.exit()).as(shown.toString()).isZero();
        assertThat(JSON.readTree(shown.out()).path("created_by").path("name").asText()).isEqualTo("Alice Admin");
        assertThat(shown.out()).doesNotContain(secret);

        Path clone = work.resolve("people-app");
        CliProcess.Result cloned = git(work, "clone", gitUrl(secret, "people/app"), clone.toString());
        assertThat(cloned.exit()).as(cloned.out()).isZero();
        assertThat(clone.resolve(".git")).isDirectory();
        assertThat(git(clone, "push", "origin", "HEAD:refs/heads/main").exit()).as("git:read only").isNotZero();
        assertThat(repoStatus(secret, "people/app")).isEqualTo(200);

        CliProcess.Result revoke = person("alice").run("token", "revoke", tokenId);
        assertThat(revoke.exit()).as(revoke.toString()).isZero();
        awaitRefused(secret, "people/app");

        Path file = work.resolve("exports/alice.ndjson");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            CliProcess.Result export = person("alice").run("audit", "export", "--since", "1h", "-o", file.toString());
            assertThat(export.exit()).as(export.toString()).isZero();
            List<String> types = new ArrayList<>();
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                JsonNode event = JSON.readTree(line);
                if (tokenId.equals(event.path("subject").asText())) {
                    types.add(event.path("type").asText());
                }
            }
            assertThat(types).contains("token:created", "token:used", "token:revoked");
        });
        assertThat(Files.readString(file)).doesNotContain(secret);

        // Signed out, the same commands need credentials again.
        assertThat(person("alice").run("logout").exit()).isZero();
        CliProcess.Result after = person("alice").run("token", "list");
        assertThat(after.exit()).as(after.toString()).isEqualTo(ExitCode.NOT_AUTHENTICATED);
    }

    @Test
    void aScopedTokenFromTheCliClonesItsRepositoriesUntilRevokedThroughTheCli() throws Exception {
        CliProcess.Result repo = admin().run("repo", "create", "ci/hello");
        assertThat(repo.exit()).as(repo.toString()).isZero();
        assertThat(repo.out()).isEqualTo("ci/hello\n");
        assertThat(admin().run("repo", "create", "other/x").exit()).isZero();

        CliProcess.Result created = admin().run("token", "create", "--name", "cli-ci", "--kind", "repo",
                "--scope", "repos:ci/*=git:read,git:write", "--expires-in", "1d");
        assertThat(created.exit()).as(created.toString()).isZero();
        // Only the secret on stdout, so T=$(keyward token create ...) works.
        String secret = created.out().strip();
        assertThat(created.out()).isEqualTo(secret + "\n");
        assertThat(ApiKeyFormat.parse(secret)).as("a real key on stdout").isPresent();
        assertThat(created.err()).contains("Created tok_").contains("shown only this once").doesNotContain(secret);
        String tokenId = created.err().replaceAll("(?s).*Created (tok_[A-Za-z0-9_-]+).*", "$1");

        Path clone = work.resolve("hello");
        assertThat(git(work, "clone", gitUrl(secret, "ci/hello"), clone.toString()).exit()).isZero();
        assertThat(git(work, "clone", gitUrl(secret, "other/x"), work.resolve("x").toString()).exit()).isNotZero();

        // The content API with the same key: what git pushed, read back without a clone.
        Files.writeString(clone.resolve("README.md"), "hello from the cli\n");
        assertThat(git(clone, "add", "README.md").exit()).isZero();
        assertThat(git(clone, "-c", "user.name=CI Agent", "-c", "user.email=ci@example.com", "commit", "-q", "-m", "Say hello").exit()).isZero();
        assertThat(git(clone, "push", "-q", "origin", "HEAD:main").exit()).isZero();
        String head = git(clone, "rev-parse", "HEAD").out().strip();
        CliProcess.Result log = cli(secret).run("repo", "log", "ci/hello");
        assertThat(log.exit()).as(log.toString()).isZero();
        assertThat(log.out()).contains(head.substring(0, 12)).contains("CI Agent").contains("Say hello");
        CliProcess.Result shown = cli(secret).run("repo", "show", "ci/hello", head);
        assertThat(shown.out()).startsWith("commit " + head).contains("README.md").contains("1 files changed, 1 insertions(+)");
        CliProcess.Result cat = cli(secret).run("repo", "cat", "ci/hello", "main", "README.md");
        assertThat(cat.exit()).as(cat.toString()).isZero();
        assertThat(cat.out()).isEqualTo("hello from the cli\n");
        assertThat(cli(secret).run("repo", "log", "other/x").exit()).as("out of scope").isEqualTo(ExitCode.FAILED);

        CliProcess.Result list = admin().run("--json", "token", "list");
        assertThat(list.exit()).as(list.toString()).isZero();
        JsonNode listed = JSON.readTree(list.out());
        assertThat(ids(listed)).contains(tokenId);
        assertThat(list.out()).doesNotContain(secret);

        CliProcess.Result table = admin().run("token", "list");
        // The table fits 100 columns, so a scope list may wrap after a comma.
        assertThat(table.out()).contains("ID", "NAME", "SCOPES").contains(tokenId).contains("repos:ci/*=git:read,");

        CliProcess.Result show = admin().run("token", "show", tokenId);
        assertThat(show.exit()).as(show.toString()).isZero();
        assertThat(show.out()).contains("cli-ci").contains("active").contains(ApiKeyFormat.prefixOf(secret));
        assertThat(repoStatus(secret, "ci/hello")).isEqualTo(200);

        CliProcess.Result revoke = admin().run("token", "revoke", tokenId);
        assertThat(revoke.exit()).as(revoke.toString()).isZero();
        assertThat(revoke.err()).contains("Revoked " + tokenId);
        awaitRefused(secret, "ci/hello");
        assertThat(admin().run("token", "show", tokenId).out()).contains("revoked");
        assertThat(ids(JSON.readTree(admin().run("--json", "token", "list").out()))).doesNotContain(tokenId);
        assertThat(ids(JSON.readTree(admin().run("--json", "token", "list", "--all").out()))).contains(tokenId);

        // The revoked key itself is refused: not authenticated, exit 3.
        CliProcess.Result revoked = cli(secret).run("repo", "list");
        assertThat(revoked.exit()).as(revoked.toString()).isEqualTo(ExitCode.NOT_AUTHENTICATED);
        assertThat(revoked.err()).contains("KEYWARD_TOKEN was refused");

        CliProcess.Result missing = admin().run("token", "show", "tok_doesnotexist");
        assertThat(missing.exit()).as(missing.toString()).isEqualTo(ExitCode.NOT_FOUND);
    }

    @Test
    void rotationPrintsTheNewSecretOnceAndRepoTokensCannotUseTheControlPlane() throws Exception {
        CliProcess.Result created = admin().run("--json", "token", "create", "--name", "cli-rotate", "--kind", "org",
                "--scope", "org=org:read", "--expires-in", "2h", "--env", "dev");
        assertThat(created.exit()).as(created.toString()).isZero();
        JsonNode issued = JSON.readTree(created.out());
        String oldSecret = issued.path("token").asText();
        assertThat(oldSecret).startsWith("kw_dev_o_");

        CliProcess.Result rotated = admin().run("token", "rotate", issued.path("id").asText(), "--grace", "10m");
        assertThat(rotated.exit()).as(rotated.toString()).isZero();
        String newSecret = rotated.out().strip();
        assertThat(ApiKeyFormat.parse(newSecret)).isPresent();
        assertThat(newSecret).isNotEqualTo(oldSecret);
        assertThat(rotated.err()).contains("Rotated " + issued.path("id").asText());

        // The new key lists repositories (org:read); it may not manage tokens: refused, exit 1.
        assertThat(cli(newSecret).run("repo", "list").exit()).isZero();
        CliProcess.Result escalate = cli(newSecret).run("token", "create", "--name", "x", "--scope", "repos:*=git:read");
        assertThat(escalate.exit()).as(escalate.toString()).isEqualTo(ExitCode.FAILED);
        assertThat(escalate.err()).contains("refused");
    }

    @Test
    void theAuditTrailIsQueriedExportedAndVerified() throws Exception {
        CliProcess.Result created = admin().run("--json", "token", "create", "--name", "cli-audit", "--scope", "repos:audit/*=read");
        String tokenId = JSON.readTree(created.out()).path("id").asText();
        assertThat(admin().run("token", "revoke", tokenId).exit()).isZero();

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            CliProcess.Result events = admin().run("--json", "audit", "events", "--token-id", tokenId);
            assertThat(events.exit()).as(events.toString()).isZero();
            List<String> types = new ArrayList<>();
            JSON.readTree(events.out()).forEach(e -> types.add(e.path("type").asText()));
            assertThat(types).contains("token:created", "token:revoked");
        });
        CliProcess.Result table = admin().run("audit", "events", "--token-id", tokenId, "--since", "1h");
        assertThat(table.out()).contains("TIME", "TYPE").contains("token:revoked");

        Path file = work.resolve("exports/audit.ndjson");
        CliProcess.Result export = admin().run("audit", "export", "--since", "1d", "-o", file.toString());
        assertThat(export.exit()).as(export.toString()).isZero();
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        assertThat(lines).isNotEmpty();
        for (String line : lines) {
            // policy:changed: the trust policies other tests of this class create in the same org.
            assertThat(JSON.readTree(line).path("type").asText()).matches("token:[a-z]+|scope:escalated|auth:failed|policy:changed");
        }
        assertThat(lines).anyMatch(l -> l.contains(tokenId));
        assertThat(export.err()).contains("Exported " + lines.size() + " events to " + file)
                .as("no progress drawing when stderr is not a terminal").doesNotContain("\r");

        CliProcess.Result toStdout = admin().run("audit", "export");
        assertThat(toStdout.exit()).isZero();
        assertThat(toStdout.out().lines().count()).isGreaterThanOrEqualTo(lines.size());

        CliProcess.Result verify = admin().run("audit", "verify");
        assertThat(verify.exit()).as(verify.toString()).isZero();
        assertThat(verify.out()).contains("intact");

        CliProcess.Result badTime = admin().run("audit", "export", "--since", "last tuesday");
        assertThat(badTime.exit()).isEqualTo(ExitCode.USAGE);
    }

    @Test
    void anOperatorCreatesAnOrgWhoseAdminSetsItsPolicyAndASuspensionRefusesItsKeysUntilResumed() throws Exception {
        CliProcess operator = cli(Files.readString(stack.operatorTokenFile()).trim());
        CliProcess.Result created = operator.run("org", "create", "cli-blue", "--name", "CLI Blue", "--admin-token");
        assertThat(created.exit()).as(created.toString()).isZero();
        // Only the admin key on stdout, as with token create.
        String blueAdmin = created.out().strip();
        assertThat(created.out()).isEqualTo(blueAdmin + "\n");
        assertThat(ApiKeyFormat.parse(blueAdmin)).as("a real key on stdout").isPresent();
        assertThat(created.err()).contains("Created org cli-blue").contains("shown only this once").doesNotContain(blueAdmin);

        CliProcess.Result set = operator.run("org", "policy", "set", "cli-blue",
                "--max-tokens-per-creator", "3", "--notice-days", "7", "--cap-max-tokens-per-org", "50");
        assertThat(set.exit()).as(set.toString()).isZero();
        assertThat(set.out()).containsPattern("max-tokens-per-creator +3\n").containsPattern("cap-max-tokens-per-org +50\n");

        CliProcess.Result shown = cli(blueAdmin).run("--json", "org", "policy", "show", "cli-blue");
        assertThat(shown.exit()).as(shown.toString()).isZero();
        JsonNode policy = JSON.readTree(shown.out());
        assertThat(policy.path("max_tokens_per_creator").asInt()).isEqualTo(3);
        assertThat(policy.path("notice_days").asInt()).isEqualTo(7);
        assertThat(policy.path("max_tokens_per_org").asInt()).as("lowered with its cap").isEqualTo(50);

        CliProcess.Result notify = cli(blueAdmin).run("org", "notifications", "set", "cli-blue", "--contact-email", "ops@blue.example.com");
        assertThat(notify.exit()).as(notify.toString()).isZero();
        assertThat(notify.out()).contains("ops@blue.example.com").containsPattern("webhook secret +not set");

        CliProcess.Result suspended = operator.run("org", "suspend", "cli-blue");
        assertThat(suspended.exit()).as(suspended.toString()).isZero();
        assertThat(operator.run("org", "list").out()).containsPattern("cli-blue +CLI Blue +suspended +ops@blue.example.com");
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            CliProcess.Result refused = cli(blueAdmin).run("token", "list");
            assertThat(refused.exit()).as(refused.toString()).isEqualTo(ExitCode.FAILED);
            assertThat(refused.err()).contains("refused (org_suspended)").contains("keyward org resume");
        });

        assertThat(operator.run("org", "resume", "cli-blue").exit()).isZero();
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            CliProcess.Result listed = cli(blueAdmin).run("token", "list");
            assertThat(listed.exit()).as(listed.toString()).isZero();
        });
    }

    @Test
    void anOrgAdminCreatesListsShowsAndDeletesATrustPolicy() throws Exception {
        String org = LocalStack.BOOTSTRAP_ORG;
        CliProcess.Result created = admin().run("--json", "trust", "create", org, "--name", "pods-of-build",
                "--issuer", stack.keycloakRealmUrl(), "--audience", "keyward", "--subject", "system:serviceaccount:build:*",
                "--claim", "azp=builder", "--scope", "repos:build/*=read", "--max-ttl", "10m");
        assertThat(created.exit()).as(created.toString()).isZero();
        JsonNode policy = JSON.readTree(created.out());
        String policyId = policy.path("id").asText();
        assertThat(policyId).startsWith("tp_");
        assertThat(policy.path("max_ttl").asLong()).isEqualTo(600);
        assertThat(policy.path("scopes").toString()).isEqualTo("{\"repos:build/*\":[\"git:read\"]}");

        CliProcess.Result listed = admin().run("trust", "list", org);
        assertThat(listed.exit()).as(listed.toString()).isZero();
        assertThat(listed.out()).containsPattern(policyId + " +pods-of-build +" + stack.keycloakRealmUrl()
                + " +keyward +system:serviceaccount:build:\\* +azp=builder +repos:build/\\*=git:read +10m");
        CliProcess.Result shown = admin().run("trust", "show", org, policyId);
        assertThat(shown.exit()).as(shown.toString()).isZero();
        assertThat(shown.out()).containsPattern("subject +system:serviceaccount:build:\\*").containsPattern("max ttl +10m");

        CliProcess.Result tooLong = admin().run("trust", "create", org, "--name", "x", "--issuer", stack.keycloakRealmUrl(),
                "--audience", "keyward", "--subject", "*", "--scope", "repos:build/*=read", "--max-ttl", "2h");
        assertThat(tooLong.exit()).as("above the exchange cap").isEqualTo(ExitCode.FAILED);
        assertThat(tooLong.err()).contains("max_ttl");

        CliProcess.Result deleted = admin().run("trust", "delete", org, policyId);
        assertThat(deleted.exit()).as(deleted.toString()).isZero();
        assertThat(deleted.err()).contains("Deleted trust policy " + policyId);
        assertThat(admin().run("trust", "list", org).out()).doesNotContain(policyId);
        assertThat(admin().run("trust", "show", org, policyId).exit()).isEqualTo(ExitCode.NOT_FOUND);
    }

    /**
     * Secretless CI end to end: an org admin trusts the stack's Keycloak for its CI robot (a
     * client-credentials token stands for the OIDC token a CI platform hands a job); the robot, with no
     * Keyward credential at all, exchanges that token and clones with the result; revoking one token by
     * its jti, and deleting the policy, refuse the exchanged tokens everywhere.
     */
    @Test
    void aCiRobotExchangesItsOidcTokenUnderATrustPolicyAndClonesUntilRevoked() throws Exception {
        String org = LocalStack.BOOTSTRAP_ORG;
        assertThat(admin().run("repo", "create", "trusted/app").exit()).isZero();
        CliProcess.Result created = admin().run("--json", "trust", "create", org, "--name", "keycloak-ci-robot",
                "--issuer", stack.keycloakRealmUrl(), "--audience", "keyward-api", "--subject", "*",
                "--claim", "azp=keyward-ci", "--scope", "repos:trusted/*=git:read", "--max-ttl", "10m");
        assertThat(created.exit()).as(created.toString()).isZero();
        String policyId = JSON.readTree(created.out()).path("id").asText();

        // No Keyward credential and no config: only the workload's own token.
        CliProcess robot = new CliProcess().env("KEYWARD_URL", stack.tokenServiceUrl())
                .env("XDG_CONFIG_HOME", work.resolve("robot-config").toString());
        CliProcess.Result garbage = robot.env("KEYWARD_OIDC_TOKEN", "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJub2JvZHkifQ.c2ln")
                .run("token", "exchange", "--org", org);
        assertThat(garbage.exit()).as(garbage.toString()).isEqualTo(ExitCode.FAILED);
        assertThat(garbage.out()).isEmpty();
        assertThat(garbage.err()).contains("error: invalid_grant");

        // The token file wins over KEYWARD_OIDC_TOKEN (still the garbage above).
        Path oidcToken = work.resolve("robot-oidc-token");
        Files.writeString(oidcToken, robotOidcToken());
        CliProcess.Result exchanged = robot.run("token", "exchange", "--org", org, "--oidc-token-file", oidcToken.toString(),
                "--ttl", "5m");
        assertThat(exchanged.exit()).as(exchanged.toString()).isZero();
        String token = exchanged.out().strip();
        assertThat(exchanged.out()).as("the token alone on stdout").isEqualTo(token + "\n");
        assertThat(exchanged.err()).contains("repos:trusted/*=git:read").contains("expires in 300 s");
        String jti = jwtClaims(token).path("jti").asText();
        assertThat(jti).startsWith("xtok_");

        // The token in a header, not in the remote URL.
        Path clone = work.resolve("trusted-app");
        CliProcess.Result cloned = git(work, "-c", "http.extraHeader=Authorization: Bearer " + token, "clone",
                stack.repoServiceUrl() + "/" + org + "/trusted/app.git", clone.toString());
        assertThat(cloned.exit()).as(cloned.out()).isZero();
        assertThat(git(clone, "config", "--get", "remote.origin.url").out()).doesNotContain(token);

        CliProcess.Result wider = robot.run("token", "exchange", "--org", org, "--oidc-token-file", oidcToken.toString(),
                "--scope", "repos:trusted/*=git:write");
        assertThat(wider.exit()).as(wider.toString()).isEqualTo(ExitCode.FAILED);
        assertThat(wider.err()).contains("error: invalid_scope");

        // The trail names the workload behind the token.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            CliProcess.Result events = admin().run("--json", "audit", "events", "--type", "token:exchanged", "--since", "1h");
            assertThat(events.exit()).as(events.toString()).isZero();
            List<String> subjects = new ArrayList<>();
            JSON.readTree(events.out()).forEach(e -> subjects.add(e.path("subject").asText()));
            assertThat(subjects).contains(jti);
            assertThat(events.out()).contains(policyId).doesNotContain(token);
        });

        // One token revoked by its jti; the other refused once its policy is deleted.
        String second = robot.run("token", "exchange", "--org", org, "--oidc-token-file", oidcToken.toString()).out().strip();
        assertThat(repoStatus(second, "trusted/app")).isEqualTo(200);
        CliProcess.Result revoked = admin().run("token", "revoke", jti);
        assertThat(revoked.exit()).as(revoked.toString()).isZero();
        awaitRefused(token, "trusted/app");
        assertThat(repoStatus(second, "trusted/app")).as("only the one revoked").isEqualTo(200);

        assertThat(admin().run("trust", "delete", org, policyId).exit()).isZero();
        awaitRefused(second, "trusted/app");
        CliProcess.Result afterDelete = robot.run("token", "exchange", "--org", org, "--oidc-token-file", oidcToken.toString());
        assertThat(afterDelete.exit()).as(afterDelete.toString()).isEqualTo(ExitCode.FAILED);
        assertThat(afterDelete.err()).contains("error: invalid_grant");
    }

    /** The claims of a JWT, read without verifying it. */
    private static JsonNode jwtClaims(String jwt) throws IOException {
        return JSON.readTree(java.util.Base64.getUrlDecoder().decode(jwt.split("\\.")[1]));
    }

    /** An access token of the realm's confidential client keyward-ci (client credentials): a real OIDC issuer's JWT. */
    private static String robotOidcToken() throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(stack.keycloakRealmUrl() + "/protocol/openid-connect/token"))
                .header("Content-Type", "application/x-www-form-urlencoded").timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(
                        "grant_type=client_credentials&client_id=keyward-ci&client_secret=keyward-ci-secret")).build();
        HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body()).path("access_token").asText();
    }

    /**
     * The root README's walk-through, pasted as written into one bash shell at the checkout's root,
     * with its four variables pointing at this stack: every block runs to its end, git gets the key
     * from the credential helper (none in the clone's config), the out-of-scope push is refused, and
     * the trail shows the token's life. Its {@code ./keyward up} step is outside the tested section.
     */
    @Test
    void theReadmeWalkThroughRunsAsWrittenAgainstTheStack() throws Exception {
        Path root = ServiceProcess.projectRoot();
        ReadmeWalkThrough readme = ReadmeWalkThrough.of(root.resolve("README.md"));
        assertThat(readme.blocks()).as("the walk-through's bash blocks").hasSizeGreaterThanOrEqualTo(5);
        assertThat(String.join("\n", readme.blocks())).doesNotContainPattern("(?m)^\\s*\\./keyward up");
        CliProcess.jar(); // the launcher runs cli/target/keyward-cli.jar: built, not built now
        Path home = Files.createDirectories(work.resolve("readme/home"));
        Path scratch = Files.createDirectories(work.resolve("readme/tmp"));

        CliProcess.Result run = bash(root, home, scratch, readme.script());
        String output = run.out();
        assertThat(run.exit()).as(output).isZero();
        for (int i = 0; i < readme.blocks().size(); i++) {
            assertThat(ReadmeWalkThrough.outputOf(output, i)).as("block %d ran to its end:%n%s", i, output).isNotNull();
        }
        assertThat(ApiKeyFormat.findKeys(output).keys()).as("no key is printed").isEmpty();

        String created = output.replaceAll("(?s).*Created (tok_[A-Za-z0-9_-]+).*", "$1");
        assertThat(created).as(output).startsWith("tok_");
        String pushed = blockOutput(readme, output, "git push origin");
        assertThat(pushed).contains("HEAD -> main");
        String refused = blockOutput(readme, output, "other/app");
        assertThat(refused).contains("refused, as it should be").contains("403");
        assertThat(blockOutput(readme, output, "curl")).isEqualTo("hello from CI");
        assertThat(blockOutput(readme, output, "token revoke")).contains("Revoked " + created);
        assertThat(blockOutput(readme, output, "audit verify")).contains("TYPE").contains("intact");

        // The clone: in the scratch folder, with the pushed file, and no key in its config or git's.
        List<Path> clones;
        try (var found = Files.find(scratch, 3, (p, a) -> p.endsWith("hello/.git"))) {
            clones = found.toList();
        }
        assertThat(clones).hasSize(1);
        Path clone = clones.get(0).getParent();
        assertThat(Files.readString(clone.resolve("README.md"))).isEqualTo("hello from CI\n");
        String config = Files.readString(clone.resolve(".git/config"));
        assertThat(config).contains("url = " + stack.repoServiceUrl() + "/demo/team/hello.git");
        assertThat(config).doesNotContain("kw_");
        String gitConfig = Files.readString(home.resolve(".gitconfig"));
        assertThat(gitConfig).contains("auth git-credential --repo-url " + stack.repoServiceUrl()).doesNotContain("kw_");
        assertThat(home.resolve(".git-credentials")).doesNotExist();

        // The trail: events land within a second or two, so the README's query runs again until all are in.
        int settings = blockIndex(readme, "export KEYWARD_URL");
        int audit = blockIndex(readme, "audit events");
        AtomicReference<String> trail = new AtomicReference<>(ReadmeWalkThrough.outputOf(output, audit));
        await().atMost(Duration.ofSeconds(30)).pollDelay(Duration.ZERO).untilAsserted(() -> {
            String shown = trail.getAndSet(null);
            if (shown == null) {
                CliProcess.Result again = bash(root, home, scratch, readme.script(List.of(settings, audit)));
                assertThat(again.exit()).as(again.out()).isZero();
                shown = again.out();
            }
            List<String> rows = shown.lines().filter(l -> l.contains(created)).toList();
            assertThat(rows).as(shown)
                    .anyMatch(l -> l.contains("token:created"))
                    .anyMatch(l -> l.contains("token:used") && l.contains("team/hello") && l.contains("git:write"))
                    .anyMatch(l -> l.contains("token:used") && l.contains("other/app") && l.contains("denied"))
                    .anyMatch(l -> l.contains("token:revoked"));
        });
    }

    private static int blockIndex(ReadmeWalkThrough readme, String text) {
        for (int i = 0; i < readme.blocks().size(); i++) {
            if (readme.blocks().get(i).contains(text)) {
                return i;
            }
        }
        throw new AssertionError("no walk-through block contains " + text);
    }

    private static String blockOutput(ReadmeWalkThrough readme, String output, String text) {
        return ReadmeWalkThrough.outputOf(output, blockIndex(readme, text));
    }

    /**
     * Runs {@code script} as a person pastes it into bash at the checkout's root: the services' URLs
     * and {@code KEYWARD_HOME} of this stack, a home of its own (git's global config, the CLI's
     * config), mktemp in {@code scratch}, and nothing of the machine's KEYWARD_, GIT_ or XDG_ settings.
     */
    private static CliProcess.Result bash(Path root, Path home, Path scratch, String script)
            throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder("bash", "-euo", "pipefail", "-c", script)
                .directory(root.toFile()).redirectErrorStream(true);
        var env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("KEYWARD_") || k.startsWith("GIT_") || k.startsWith("XDG_"));
        env.put("KEYWARD_URL", stack.tokenServiceUrl());
        env.put("KEYWARD_REPO_URL", stack.repoServiceUrl());
        env.put("KEYWARD_AUDIT_URL", stack.auditServiceUrl());
        env.put("KEYWARD_HOME", stack.home().toString());
        env.put("HOME", home.toString());
        env.put("XDG_CONFIG_HOME", home.resolve(".config").toString());
        env.put("TMPDIR", scratch.toString());
        // A wide terminal: the audit table's rows stay on one line each, so the test can read them.
        env.put("COLUMNS", "400");
        env.put("GIT_CONFIG_NOSYSTEM", "1");
        env.put("GIT_TERMINAL_PROMPT", "0");
        env.put("GIT_AUTHOR_NAME", "Walk Through");
        env.put("GIT_AUTHOR_EMAIL", "walk-through@example.com");
        env.put("GIT_COMMITTER_NAME", "Walk Through");
        env.put("GIT_COMMITTER_EMAIL", "walk-through@example.com");
        // The launcher runs `java`: this JVM's.
        env.put("PATH", Path.of(System.getProperty("java.home"), "bin") + java.io.File.pathSeparator + env.get("PATH"));
        Process p = pb.start();
        p.getOutputStream().close();
        var out = CliProcess.drain(p.getInputStream());
        if (!p.waitFor(3, TimeUnit.MINUTES)) {
            // The CLI and git it started hold the output pipe too.
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw new AssertionError("the walk-through did not end within 3 minutes:\n" + out.join());
        }
        return new CliProcess.Result(p.exitValue(), out.join(), "");
    }

    @Test
    void healthShowsEveryServiceReadyAndTheOrgsAuthHealth() {
        // Each service's readiness (database, broker) is probed live: on a loaded machine a check may lag.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            CliProcess.Result health = admin().run("health");
            assertThat(health.exit()).as(health.toString()).isZero();
            assertThat(health.out()).contains("token-service").contains("repo-service").contains("audit-service")
                    .contains("Failed-authentication health of org demo");
            assertThat(health.out().lines().filter(l -> l.endsWith("UP")).count()).isEqualTo(3);
        });

        CliProcess.Result noCredentials = cli(null).run("health");
        assertThat(noCredentials.exit()).isZero();
        assertThat(noCredentials.err()).contains("skipped");

        CliProcess.Result down = cli(adminToken).env("KEYWARD_AUDIT_URL", "http://127.0.0.1:1").run("health");
        assertThat(down.exit()).isEqualTo(ExitCode.UNREACHABLE);
        assertThat(down.out()).contains("UNREACHABLE");
    }

    private static List<String> ids(JsonNode array) {
        List<String> ids = new ArrayList<>();
        array.forEach(t -> ids.add(t.path("id").asText()));
        return ids;
    }

    /**
     * Waits until repo-service refuses the revoked {@code secret}, polled over its HTTP API (the same
     * verifier as git: a git process per poll would time process start-up on a busy machine), then
     * checks that git is refused too.
     */
    private static void awaitRefused(String secret, String repo) throws IOException, InterruptedException {
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100)).untilAsserted(() ->
                assertThat(repoStatus(secret, repo)).isEqualTo(401));
        assertThat(git(work, "ls-remote", gitUrl(secret, repo)).exit()).as("git is refused too").isNotZero();
    }

    /** Status of repo-service's {@code GET /v1/repos/{repo}} with {@code token} as bearer; -1 when it does not answer. */
    private static int repoStatus(String token, String repo) throws InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(stack.repoServiceUrl() + "/v1/repos/" + repo))
                .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(10)).build();
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        }
    }

    private static String gitUrl(String token, String repo) {
        return stack.repoServiceUrl().replace("http://", "http://ci:" + token + "@") + "/" + LocalStack.BOOTSTRAP_ORG + "/" + repo + ".git";
    }

    static CliProcess.Result git(Path dir, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("git", "-c", "credential.helper=", "-c", "core.askPass="));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().put("GIT_TERMINAL_PROMPT", "0");
        Process p = pb.start();
        p.getOutputStream().close();
        var out = CliProcess.drain(p.getInputStream());
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        return new CliProcess.Result(p.exitValue(), out.join(), "");
    }
}
