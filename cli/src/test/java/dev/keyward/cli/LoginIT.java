package dev.keyward.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keyward.testsupport.EmbeddedKeycloak;
import java.io.BufferedReader;
import java.io.IOException;
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
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
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
    private static final Pattern CONSENT_FORM = Pattern.compile("<form[^>]*action=\"([^\"]*consent[^\"]*)\"");
    private static final Pattern HIDDEN_INPUT = Pattern.compile("<input[^>]*type=\"hidden\"[^>]*name=\"([^\"]+)\"[^>]*value=\"([^\"]*)\"");
    private static final Pattern FORM_ACTION = Pattern.compile("<form[^>]*id=\"kc-form-login\"[^>]*action=\"([^\"]+)\"");

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

        HttpResponse<String> callback = signInAsBrowser(authorizeUrl, "alice", "alice");
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
        HttpResponse<String> done = signInAsBrowser(verificationUri + "?user_code=" + code, "bob", "bob");
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

    /**
     * What a browser does: open the authorize URL, submit the login form, follow redirects to the
     * loopback. Cookies are kept by hand: Keycloak marks them Secure, and browsers (unlike the JDK's
     * CookieManager) send Secure cookies to loopback addresses, which count as a secure context.
     */
    private static HttpResponse<String> signInAsBrowser(String authorizeUrl, String user, String password)
            throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
        Map<String, String> cookies = new LinkedHashMap<>();
        HttpResponse<String> page = followRedirects(http, cookies, browse(http, cookies, HttpRequest.newBuilder(URI.create(authorizeUrl))));
        assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
        Matcher form = FORM_ACTION.matcher(page.body());
        assertThat(form.find()).as("login form in " + page.body()).isTrue();
        String action = form.group(1).replace("&amp;", "&");
        HttpResponse<String> response = browse(http, cookies, HttpRequest.newBuilder(URI.create(action))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("username=" + user + "&password=" + password + "&credentialId=")));
        response = followRedirects(http, cookies, response);
        Matcher consent = CONSENT_FORM.matcher(response.body());
        if (response.statusCode() == 200 && consent.find()) {
            // Keycloak always asks the person to confirm a device sign-in.
            StringBuilder fields = new StringBuilder("accept=Yes");
            Matcher hidden = HIDDEN_INPUT.matcher(response.body());
            while (hidden.find()) {
                fields.append('&').append(hidden.group(1)).append('=')
                        .append(URLEncoder.encode(hidden.group(2).replace("&amp;", "&"), StandardCharsets.UTF_8));
            }
            response = followRedirects(http, cookies, browse(http, cookies,
                    HttpRequest.newBuilder(response.uri().resolve(consent.group(1).replace("&amp;", "&")))
                            .header("Content-Type", "application/x-www-form-urlencoded")
                            .POST(HttpRequest.BodyPublishers.ofString(fields.toString()))));
        }
        return response;
    }

    private static HttpResponse<String> followRedirects(HttpClient http, Map<String, String> cookies, HttpResponse<String> response)
            throws IOException, InterruptedException {
        for (int hops = 0; response.statusCode() / 100 == 3 && hops < 5; hops++) {
            URI next = response.uri().resolve(response.headers().firstValue("Location").orElseThrow());
            response = browse(http, cookies, HttpRequest.newBuilder(next));
        }
        return response;
    }

    private static HttpResponse<String> browse(HttpClient http, Map<String, String> cookies, HttpRequest.Builder request)
            throws IOException, InterruptedException {
        if (!cookies.isEmpty()) {
            request.header("Cookie", cookies.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                    .collect(Collectors.joining("; ")));
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        for (String set : response.headers().allValues("Set-Cookie")) {
            String pair = set.split(";", 2)[0];
            int eq = pair.indexOf('=');
            if (eq > 0) {
                cookies.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
            }
        }
        return response;
    }
}
