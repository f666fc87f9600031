package dev.keyward.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keyward.localstack.EmbeddedKeycloak;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code keyward login} against a real Keycloak: the packaged CLI runs the authorization code + PKCE
 * flow with its loopback redirect while this test plays the browser over HTTP (login form, cookies,
 * redirect). Then the stored session is checked, read back by {@code whoami}, refreshed and removed.
 */
class LoginIT {

    @TempDir
    static Path work;

    static EmbeddedKeycloak keycloak;
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void startKeycloak() {
        keycloak = EmbeddedKeycloak.start();
    }

    @AfterAll
    static void stopKeycloak() {
        if (keycloak != null) {
            keycloak.close();
        }
    }

    /** CLI processes of a test, stopped when it ends even if it failed half-way. */
    private final java.util.List<Process> started = new java.util.ArrayList<>();

    @org.junit.jupiter.api.AfterEach
    void stopLeftovers() {
        started.forEach(Process::destroyForcibly);
    }

    private CliProcess cli(Path config) {
        return new CliProcess().env("XDG_CONFIG_HOME", config.toString()).env("KEYWARD_ISSUER", keycloak.realmUrl());
    }

    @Test
    void aPersonSignsInWithTheBrowserFlowAndTheSessionIsPrivateRefreshableAndRemovable() throws Exception {
        Path config = work.resolve("alice");
        Process login = cli(config).start("login", "--timeout", "2m");
        started.add(login);
        login.getOutputStream().close();
        CompletableFuture<String> stdout = CliProcess.drain(login.getInputStream());
        BufferedReader stderr = new BufferedReader(new InputStreamReader(login.getErrorStream(), StandardCharsets.UTF_8));
        StringBuilder errText = new StringBuilder();
        String authorizeUrl = null;
        for (String line; authorizeUrl == null && (line = stderr.readLine()) != null; ) {
            errText.append(line).append('\n');
            if (line.strip().startsWith(keycloak.realmUrl())) {
                authorizeUrl = line.strip();
            }
        }
        assertThat(authorizeUrl).as(errText.toString()).isNotNull()
                .contains("code_challenge_method=S256").contains("client_id=keyward-cli")
                .contains("redirect_uri=http%3A%2F%2F127.0.0.1%3A");

        HttpResponse<String> callback = BrowserSignIn.signIn(authorizeUrl, "alice", "alice");
        assertThat(callback.statusCode()).as(callback.uri() + "\n" + callback.body()).isEqualTo(200);
        assertThat(callback.body()).contains("Signed in to Keyward");

        assertThat(login.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String rest = CliProcess.drain(login.getErrorStream()).join();
        assertThat(login.exitValue()).as(errText + rest).isZero();
        assertThat(stdout.join()).isEmpty();
        assertThat(rest).contains("Signed in as alice (org demo)");

        Path session = config.resolve("keyward/session.json");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(session))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(session.getParent()))).isEqualTo("rwx------");
        JsonNode stored = JSON.readTree(session.toFile());
        assertThat(stored.path("refresh_token").asText()).isNotEmpty();

        CliProcess.Result whoami = cli(config).run("whoami");
        assertThat(whoami.exit()).as(whoami.toString()).isZero();
        assertThat(whoami.out()).contains("alice").contains("demo").contains("org-admin").contains(keycloak.realmUrl());

        // An expired access token is refreshed with the stored refresh token, and the file stays private.
        ObjectNode expired = (ObjectNode) stored;
        expired.put("expires_at", Instant.now().minusSeconds(60).getEpochSecond());
        Files.writeString(session, JSON.writeValueAsString(expired));
        CliProcess.Result refreshed = cli(config).run("--json", "whoami");
        assertThat(refreshed.exit()).as(refreshed.toString()).isZero();
        assertThat(JSON.readTree(refreshed.out()).path("user").asText()).isEqualTo("alice");
        JsonNode after = JSON.readTree(session.toFile());
        assertThat(after.path("expires_at").asLong()).isGreaterThan(Instant.now().getEpochSecond());
        assertThat(after.path("access_token").asText()).isNotEqualTo(stored.path("access_token").asText());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(session))).isEqualTo("rw-------");

        CliProcess.Result logout = cli(config).run("logout");
        assertThat(logout.exit()).as(logout.toString()).isZero();
        assertThat(session).doesNotExist();
        // The provider ended the session too: the old refresh token no longer works.
        HttpResponse<String> reuse = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(keycloak.tokenEndpoint()))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=refresh_token&client_id=keyward-cli&refresh_token="
                        + URLEncoder.encode(after.path("refresh_token").asText(), StandardCharsets.UTF_8)))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(reuse.statusCode()).isEqualTo(400);
        assertThat(cli(config).run("whoami").exit()).isEqualTo(ExitCode.NOT_AUTHENTICATED);
    }

    @Test
    void aPersonSignsInWithTheDeviceGrantFromAnotherDevice() throws Exception {
        Path config = work.resolve("bob");
        Process login = cli(config).start("login", "--device", "--timeout", "2m");
        started.add(login);
        login.getOutputStream().close();
        CliProcess.drain(login.getInputStream());
        BufferedReader stderr = new BufferedReader(new InputStreamReader(login.getErrorStream(), StandardCharsets.UTF_8));
        StringBuilder errText = new StringBuilder();
        String verificationUri = null;
        for (String line; verificationUri == null && (line = stderr.readLine()) != null; ) {
            errText.append(line).append('\n');
            if (line.startsWith("To sign in, open ")) {
                verificationUri = line.substring("To sign in, open ".length()).replaceAll(" on any device.*", "");
            }
        }
        String code = null;
        for (String line; code == null && (line = stderr.readLine()) != null; ) {
            errText.append(line).append('\n');
            if (line.startsWith("  ") && !line.isBlank()) {
                code = line.strip();
            }
        }
        assertThat(verificationUri).as(errText.toString()).startsWith(keycloak.realmUrl());
        assertThat(code).as(errText.toString()).matches("[A-Z]{4}-[A-Z]{4}");

        // The other device: open the verification URI with the code, sign in, grant the access asked for.
        HttpResponse<String> done = BrowserSignIn.signIn(verificationUri + "?user_code=" + code, "bob", "bob");
        assertThat(done.statusCode()).as(done.uri() + "\n" + done.body()).isEqualTo(200);
        assertThat(done.body()).as(done.body()).doesNotContain("kc-form-login");

        assertThat(login.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String rest = CliProcess.drain(login.getErrorStream()).join();
        assertThat(login.exitValue()).as(errText + rest).isZero();
        assertThat(rest).contains("Signed in as bob (org demo)");

        CliProcess.Result whoami = cli(config).run("--json", "whoami");
        JsonNode who = JSON.readTree(whoami.out());
        assertThat(who.path("user").asText()).isEqualTo("bob");
        assertThat(who.path("org").asText()).isEqualTo("demo");
        assertThat(who.path("roles").toString()).contains("org-member");
    }

    @Test
    void aWrongIssuerIsReportedAsUnreachable() {
        CliProcess.Result r = new CliProcess().env("XDG_CONFIG_HOME", work.resolve("nobody").toString())
                .run("login", "--issuer", "http://127.0.0.1:1/realms/keyward");

        assertThat(r.exit()).isEqualTo(ExitCode.UNREACHABLE);
        assertThat(r.err()).contains("cannot reach the identity provider");
    }
}
