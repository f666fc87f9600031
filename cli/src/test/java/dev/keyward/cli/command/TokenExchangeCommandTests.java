package dev.keyward.cli.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keyward.cli.ExitCode;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code keyward token exchange}: the form it sends, where the OIDC token comes from, what it prints and how it fails. */
class TokenExchangeCommandTests {

    /** Shaped like a JWT; token-service, not the CLI, decides whether it is one. */
    private static final String FILE_TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJmaWxlIn0.c2ln";
    private static final String ENV_TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJlbnYifQ.c2ln";

    @TempDir
    Path home;

    private final Map<String, String> env = new HashMap<>();

    @BeforeEach
    void isolatedConfig() {
        env.put("XDG_CONFIG_HOME", home.resolve("config").toString());
        env.put("HOME", home.toString());
    }

    private InProcessCli.Result run(String... args) {
        return InProcessCli.run(env, args);
    }

    private Map<String, String> form(String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "token";
        all[1] = "exchange";
        System.arraycopy(args, 0, all, 2, args.length);
        return InProcessCli.parsed(env, TokenExchangeCommand.class, all).form(env);
    }

    private Path tokenFile(String content) throws IOException {
        Path file = home.resolve("oidc-token");
        Files.writeString(file, content);
        return file;
    }

    private static Map<String, String> decode(String body) {
        Map<String, String> fields = new LinkedHashMap<>();
        Arrays.stream(body.split("&")).map(pair -> pair.split("=", 2)).forEach(kv ->
                fields.put(URLDecoder.decode(kv[0], StandardCharsets.UTF_8), URLDecoder.decode(kv[1], StandardCharsets.UTF_8)));
        return fields;
    }

    @Test
    void theFormCarriesTheGrantTheTokenTheOrgAndTheNarrowingAsked() throws IOException {
        Map<String, String> form = form("--org", "acme", "--oidc-token-file", tokenFile(FILE_TOKEN + "\n").toString(),
                "--scope", "repos:app=read", "--scope", "repos:lib/*=git:read,git:write", "--scope", "git:read", "--ttl", "10m");

        assertThat(form).containsExactly(
                Map.entry("grant_type", "urn:ietf:params:oauth:grant-type:token-exchange"),
                Map.entry("subject_token", FILE_TOKEN),
                Map.entry("subject_token_type", "urn:ietf:params:oauth:token-type:jwt"),
                Map.entry("audience", "acme"),
                Map.entry("scope", "repos:app=git:read repos:lib/*=git:read,git:write git:read"),
                Map.entry("requested_ttl", "600"));
    }

    @Test
    void withoutScopeOrTtlThePolicyDecidesAndNeitherFieldIsSent() {
        env.put("KEYWARD_OIDC_TOKEN", ENV_TOKEN);

        Map<String, String> form = form("--org", "acme");

        assertThat(form.get("scope")).isNull();
        assertThat(form.get("requested_ttl")).isNull();
        assertThat(form.get("subject_token")).isEqualTo(ENV_TOKEN);
    }

    @Test
    void theTokenFileWinsOverTheEnvironment() throws IOException {
        env.put("KEYWARD_OIDC_TOKEN", ENV_TOKEN);

        assertThat(form("--org", "acme", "--oidc-token-file", tokenFile(FILE_TOKEN).toString()).get("subject_token"))
                .isEqualTo(FILE_TOKEN);
        assertThat(form("--org", "acme").get("subject_token")).isEqualTo(ENV_TOKEN);
    }

    @Test
    void aBadScopeOrTtlIsRefusedBeforeAnythingIsRead() {
        assertThatThrownBy(() -> form("--org", "acme", "--scope", "git:push"))
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessageContaining("neither RESOURCE=PERMISSION").hasMessageContaining("git:read");
        assertThatThrownBy(() -> form("--org", "acme", "--scope", "repos:app=git:admin"))
                .hasMessageContaining("unknown permission 'git:admin'");
        assertThatThrownBy(() -> form("--org", "acme", "--ttl", "soon"))
                .hasMessageContaining("'soon' is not a duration");
    }

    @Test
    void withoutAnOidcTokenItIsAUsageErrorAndNothingIsSent() throws IOException {
        try (RecordingServer api = new RecordingServer(200, "{}")) {
            env.put("KEYWARD_URL", api.url());

            InProcessCli.Result none = run("token", "exchange", "--org", "acme");
            assertThat(none.exit()).isEqualTo(ExitCode.USAGE);
            assertThat(none.err()).contains("no OIDC token").contains("--oidc-token-file").contains("KEYWARD_OIDC_TOKEN");

            env.put("KEYWARD_OIDC_TOKEN", "  ");
            assertThat(run("token", "exchange", "--org", "acme").exit()).as("blank is none").isEqualTo(ExitCode.USAGE);

            InProcessCli.Result missing = run("token", "exchange", "--org", "acme", "--oidc-token-file", home.resolve("absent").toString());
            assertThat(missing.exit()).isEqualTo(ExitCode.USAGE);
            assertThat(missing.err()).contains("cannot read").contains("absent");

            InProcessCli.Result empty = run("token", "exchange", "--org", "acme", "--oidc-token-file", tokenFile("\n").toString());
            assertThat(empty.exit()).isEqualTo(ExitCode.USAGE);
            assertThat(empty.err()).contains("is empty");

            assertThat(run("token", "exchange", "--oidc-token-file", tokenFile(FILE_TOKEN).toString()).exit())
                    .as("--org is required").isEqualTo(ExitCode.USAGE);
            assertThat(api.requests).isEmpty();
        }
    }

    @Test
    void onlyTheAccessTokenGoesToStdoutAndNoKeywardCredentialIsSent() throws IOException {
        String answer = """
                {"access_token":"eyJhbGciOiJFUzI1NiJ9.eyJqdGkiOiJ4dG9rXzEifQ.sig","issued_token_type":"urn:ietf:params:oauth:token-type:jwt",
                 "token_type":"Bearer","expires_in":600,"scope":"repos:app=git:read"}""";
        try (RecordingServer api = new RecordingServer(200, answer)) {
            // A key in the environment and a stored config are there, and neither is used.
            env.put("KEYWARD_TOKEN", "kw_prod_o_notsentnotsentnotsentnotsent");
            env.put("KEYWARD_OIDC_TOKEN", ENV_TOKEN);

            InProcessCli.Result r = run("token", "exchange", "--url", api.url(), "--org", "acme team", "--scope", "repos:app=read");

            assertThat(r.exit()).as(r.err()).isZero();
            assertThat(r.out()).isEqualTo("eyJhbGciOiJFUzI1NiJ9.eyJqdGkiOiJ4dG9rXzEifQ.sig\n");
            assertThat(r.err()).contains("Keyward token for org acme team: repos:app=git:read, expires in 600 s.")
                    .doesNotContain(ENV_TOKEN).doesNotContain("eyJqdGkiOiJ4dG9rXzEifQ");
            RecordingServer.Request sent = api.requests.get(0);
            assertThat(sent.method()).isEqualTo("POST");
            assertThat(sent.path()).isEqualTo("/v1/token-exchange");
            assertThat(sent.authorization()).isNull();
            assertThat(sent.contentType()).isEqualTo("application/x-www-form-urlencoded");
            // Form encoding: reserved characters escaped, a space as '+'.
            assertThat(sent.body()).isEqualTo("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Atoken-exchange"
                    + "&subject_token=" + ENV_TOKEN
                    + "&subject_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Ajwt"
                    + "&audience=acme+team&scope=repos%3Aapp%3Dgit%3Aread");
            assertThat(decode(sent.body())).containsEntry("audience", "acme team").containsEntry("scope", "repos:app=git:read");

            InProcessCli.Result json = run("--json", "token", "exchange", "--url", api.url(), "--org", "acme");
            assertThat(json.exit()).isZero();
            assertThat(json.out()).contains("\"token_type\" : \"Bearer\"").contains("\"expires_in\" : 600");
        }
    }

    @Test
    void anOAuthErrorIsPrintedAsErrorAndDescriptionWithExit1() throws IOException {
        env.put("KEYWARD_OIDC_TOKEN", ENV_TOKEN);
        try (RecordingServer api = new RecordingServer(400,
                "{\"error\":\"invalid_grant\",\"error_description\":\"no trust policy of org acme matches the token\"}")) {
            env.put("KEYWARD_URL", api.url());

            InProcessCli.Result r = run("token", "exchange", "--org", "acme");

            assertThat(r.exit()).isEqualTo(ExitCode.FAILED);
            assertThat(r.out()).isEmpty();
            assertThat(r.err()).contains("error: invalid_grant: no trust policy of org acme matches the token")
                    .contains("keyward trust list").doesNotContain(ENV_TOKEN);
        }
        try (RecordingServer api = new RecordingServer(400, "{\"error\":\"invalid_scope\"}")) {
            env.put("KEYWARD_URL", api.url());

            InProcessCli.Result r = run("token", "exchange", "--org", "acme", "--scope", "org=audit:read");

            assertThat(r.exit()).isEqualTo(ExitCode.FAILED);
            assertThat(r.err()).contains("error: invalid_scope\n").contains("leave out --scope");
        }
        try (RecordingServer api = new RecordingServer(503, "{\"error\":\"unavailable\",\"message\":\"token exchange is not configured\"}")) {
            env.put("KEYWARD_URL", api.url());

            InProcessCli.Result r = run("token", "exchange", "--org", "acme");

            assertThat(r.exit()).isEqualTo(ExitCode.FAILED);
            assertThat(r.err()).contains("error: unavailable: token exchange is not configured").contains("try again");
        }
    }

    @Test
    void anUnreachableServiceExitsWith5() {
        env.put("KEYWARD_OIDC_TOKEN", ENV_TOKEN);

        InProcessCli.Result r = run("token", "exchange", "--org", "acme", "--url", "http://127.0.0.1:1");

        assertThat(r.exit()).isEqualTo(ExitCode.UNREACHABLE);
        assertThat(r.err()).contains("cannot reach token-service at http://127.0.0.1:1");
    }
}
