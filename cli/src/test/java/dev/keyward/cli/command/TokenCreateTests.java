package dev.keyward.cli.command;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyward.contract.ApiKeyFormat;
import dev.keyward.contract.TokenKind;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code keyward token create}: the secret alone on stdout, and the environment it got said on stderr. */
class TokenCreateTests {

    private static final String SECRET = ApiKeyFormat.generate(ApiKeyFormat.Environment.PROD, TokenKind.REPO);

    @TempDir
    Path home;

    @Test
    void theNoteNamesTheEnvironmentTheServiceChose() throws IOException {
        String issued = "{\"id\":\"tok_7kqm2xyzab3cd4ef5gh6ij7k\",\"token\":\"" + SECRET + "\",\"key_prefix\":\""
                + ApiKeyFormat.prefixOf(SECRET) + "\",\"name\":\"ci\",\"kind\":\"repo\",\"environment\":\"prod\","
                + "\"scopes\":{\"repos:team/*\":[\"git:read\"]},\"expires_at\":null}";
        try (RecordingServer api = new RecordingServer(201, issued)) {
            Map<String, String> env = Map.of("XDG_CONFIG_HOME", home.toString(), "KEYWARD_TOKEN", "kw_anything", "KEYWARD_URL", api.url());

            InProcessCli.Result r = InProcessCli.run(env, "token", "create", "--name", "ci", "--scope", "repos:team/*=read");

            assertThat(r.exit()).as(r.err()).isZero();
            assertThat(r.out()).isEqualTo(SECRET + System.lineSeparator());
            assertThat(r.err()).contains("Created tok_7kqm2xyzab3cd4ef5gh6ij7k 'ci' (repo, environment prod, "
                    + ApiKeyFormat.prefixOf(SECRET) + "…)").doesNotContain(SECRET);
            // No --env: the request leaves the choice to token-service's one default.
            assertThat(api.requests.get(0).body()).doesNotContain("environment");

            InProcessCli.run(env, "token", "create", "--name", "ci", "--scope", "repos:team/*=read", "--env", "dev");
            assertThat(api.requests.get(1).body()).containsPattern("\"environment\"\\s*:\\s*\"dev\"");
        }
    }
}
