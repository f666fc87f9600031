package dev.keyward.cli.command;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keyward.cli.ExitCode;
import dev.keyward.contract.ApiKeyFormat;
import dev.keyward.contract.TokenKind;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code keyward auth status} and {@code whoami}: an API key described by its own record on
 * token-service (here at the wire), a session by its stored claims.
 */
class AuthStatusCommandTests {

    private static final String KEY = ApiKeyFormat.generate(ApiKeyFormat.Environment.PROD, TokenKind.REPO);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path home;

    private Map<String, String> env(String... pairs) {
        Map<String, String> env = new HashMap<>(Map.of("XDG_CONFIG_HOME", home.toString(), "HOME", home.toString()));
        for (int i = 0; i < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        return env;
    }

    private static String record(Instant expiresAt) {
        return "{\"id\":\"tok_7kQm2\",\"org\":\"acme\",\"key_prefix\":\"" + ApiKeyFormat.prefixOf(KEY) + "\",\"name\":\"ci\","
                + "\"kind\":\"repo\",\"scopes\":{\"repos:team/*\":[\"git:read\",\"git:write\"]},\"environment\":\"prod\","
                + "\"expires_at\":\"" + expiresAt + "\",\"allowed_cidrs\":[],\"revoked_at\":null}";
    }

    @Test
    void anApiKeyIsDescribedByItsOwnRecordAndWhoamiSaysTheSame() throws IOException {
        Instant expires = Instant.now().plus(Duration.ofDays(3)).plus(Duration.ofHours(2)).truncatedTo(ChronoUnit.SECONDS);
        try (RecordingServer api = new RecordingServer(200, record(expires))) {
            InProcessCli.Result status = InProcessCli.run(env("KEYWARD_TOKEN", KEY, "KEYWARD_URL", api.url()), "auth", "status");

            assertThat(status.exit()).as(status.err()).isZero();
            assertThat(status.out()).containsPattern("org\\s+acme").containsPattern("kind\\s+repo")
                    .containsPattern("environment\\s+prod").containsPattern("key prefix\\s+" + ApiKeyFormat.prefixOf(KEY))
                    .containsPattern("scopes\\s+repos:team/\\*=git:read,git:write")
                    .containsPattern("expires\\s+expires in 3 days \\(" + expires + "\\)")
                    .doesNotContain(KEY);
            assertThat(api.requests).singleElement().satisfies(r -> {
                assertThat(r.method()).isEqualTo("GET");
                assertThat(r.path()).isEqualTo("/v1/tokens/self");
                assertThat(r.authorization()).isEqualTo("Bearer " + KEY);
            });

            InProcessCli.Result whoami = InProcessCli.run(env("KEYWARD_TOKEN", KEY, "KEYWARD_URL", api.url()), "whoami");
            assertThat(whoami.exit()).isZero();
            assertThat(whoami.out()).isEqualTo(status.out());

            JsonNode json = JSON.readTree(InProcessCli.run(env("KEYWARD_TOKEN", KEY, "KEYWARD_URL", api.url()),
                    "auth", "status", "--json").out());
            assertThat(json.path("type").asText()).isEqualTo("api_key");
            assertThat(json.path("org").asText()).isEqualTo("acme");
            assertThat(json.path("expires_at").asText()).isEqualTo(expires.toString());
            assertThat(json.path("scopes").path("repos:team/*").toString()).isEqualTo("[\"git:read\",\"git:write\"]");
        }
    }

    @Test
    void aRefusedKeyExitsWith3() throws IOException {
        try (RecordingServer api = new RecordingServer(401, "{\"error\":\"revoked\",\"message\":\"the token is revoked\"}")) {
            InProcessCli.Result r = InProcessCli.run(env("KEYWARD_TOKEN", KEY, "KEYWARD_URL", api.url()), "auth", "status");

            assertThat(r.exit()).isEqualTo(ExitCode.NOT_AUTHENTICATED);
            assertThat(r.out()).isEmpty();
            assertThat(r.err()).contains("KEYWARD_TOKEN was refused").doesNotContain(KEY);
        }
    }

    @Test
    void aSessionIsDescribedByItsClaimsAndEndsWithItsRefreshToken() throws IOException {
        long now = Instant.now().getEpochSecond();
        String claims = "{\"sub\":\"u-1\",\"preferred_username\":\"alice\",\"org\":\"demo\",\"exp\":" + (now + 300)
                + ",\"realm_access\":{\"roles\":[\"org-admin\",\"offline_access\"]}}";
        String jwt = "e30." + Base64.getUrlEncoder().withoutPadding().encodeToString(claims.getBytes(StandardCharsets.UTF_8)) + ".c2ln";
        Path dir = Files.createDirectories(home.resolve("keyward"));
        Files.writeString(dir.resolve("session.json"), "{\"issuer\":\"http://127.0.0.1:1/realms/keyward\",\"client_id\":\"keyward-cli\","
                + "\"token_endpoint\":\"http://127.0.0.1:1/token\",\"access_token\":\"" + jwt + "\",\"refresh_token\":\"r\","
                + "\"expires_at\":" + (now + 300) + ",\"refresh_expires_at\":" + (now + 10 * 86_400 + 3_600) + "}");

        InProcessCli.Result r = InProcessCli.run(env(), "auth", "status");

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).containsPattern("source\\s+session").containsPattern("user\\s+alice").containsPattern("org\\s+demo")
                .containsPattern("kind\\s+session").containsPattern("roles\\s+org-admin\\n")
                .contains("expires in 10 days").doesNotContain(jwt);
    }

    @Test
    void withoutCredentialsItExitsWith3() {
        assertThat(InProcessCli.run(env(), "auth", "status").exit()).isEqualTo(ExitCode.NOT_AUTHENTICATED);
        assertThat(InProcessCli.run(env(), "whoami").exit()).isEqualTo(ExitCode.NOT_AUTHENTICATED);
    }
}
