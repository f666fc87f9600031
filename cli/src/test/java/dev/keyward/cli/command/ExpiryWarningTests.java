package dev.keyward.cli.command;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyward.contract.ApiKeyFormat;
import dev.keyward.contract.TokenKind;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The services' {@code Sunset} header (RFC 8594) becomes one warning line on stderr per command. */
class ExpiryWarningTests {

    private static final String KEY = ApiKeyFormat.generate(ApiKeyFormat.Environment.PROD, TokenKind.ORG);

    @TempDir
    Path home;

    @Test
    void aSunsetHeaderWarnsOncePerCommandNamingTheKeyByItsPrefix() throws IOException {
        Instant expires = Instant.now().plus(Duration.ofDays(3)).plus(Duration.ofHours(1));
        String sunset = DateTimeFormatter.RFC_1123_DATE_TIME.format(expires.atOffset(ZoneOffset.UTC));
        try (RecordingServer api = new RecordingServer(200, "{\"id\":\"tok_a\",\"revoked\":true}", Map.of("Sunset", sunset))) {
            Map<String, String> env = Map.of("XDG_CONFIG_HOME", home.toString(), "KEYWARD_TOKEN", KEY, "KEYWARD_URL", api.url());

            // Two requests, one warning.
            InProcessCli.Result r = InProcessCli.run(env, "token", "revoke", "tok_a", "tok_b");

            assertThat(r.exit()).as(r.err()).isZero();
            assertThat(api.requests).hasSize(2);
            assertThat(r.err().lines().filter(l -> l.startsWith("warning:")).toList()).singleElement().isEqualTo(
                    "warning: the token in use (KEYWARD_TOKEN " + ApiKeyFormat.prefixOf(KEY) + "…) expires in 3 days (Sunset: "
                            + sunset + "); rotate it with keyward token rotate --self, or create a new one");
            assertThat(r.out()).doesNotContain("warning");
            assertThat(r.out() + r.err()).doesNotContain(KEY);
        }
    }

    @Test
    void noSunsetNoWarning() throws IOException {
        try (RecordingServer api = new RecordingServer(200, "{\"tokens\":[],\"next_page_token\":null}")) {
            InProcessCli.Result r = InProcessCli.run(Map.of("XDG_CONFIG_HOME", home.toString(), "KEYWARD_TOKEN", KEY,
                    "KEYWARD_URL", api.url()), "token", "list");

            assertThat(r.exit()).as(r.err()).isZero();
            assertThat(r.err()).doesNotContain("warning");
        }
    }
}
