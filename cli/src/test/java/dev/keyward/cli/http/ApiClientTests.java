package dev.keyward.cli.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keyward.cli.CliException;
import dev.keyward.cli.ExitCode;
import dev.keyward.cli.auth.Credentials;
import dev.keyward.cli.auth.SessionStore;
import dev.keyward.cli.config.Service;
import dev.keyward.cli.config.Settings;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How error answers become messages, hints and exit codes (no request is sent). */
class ApiClientTests {

    @TempDir
    Path config;

    private ApiClient client() {
        ObjectMapper json = new ObjectMapper();
        Settings settings = new Settings(Map.of("XDG_CONFIG_HOME", config.toString(), "KEYWARD_TOKEN", "kw_anything"));
        HttpClient http = HttpClient.newHttpClient();
        return new ApiClient(settings, new Credentials(settings, () -> new SessionStore(settings.sessionFile(), json), () -> http, () -> json,
                Clock.systemUTC()), new HttpClients(), json, new PrintWriter(new StringWriter()), Clock.systemUTC());
    }

    @Test
    void aRefusalNamesItsReasonAndASuspendedOrgSaysWhoCanResumeIt() {
        CliException suspended = client().failure(Service.TOKEN, 403,
                "{\"error\":\"org_suspended\",\"message\":\"the token's org is suspended\"}", null);
        assertThat(suspended.exitCode()).isEqualTo(ExitCode.FAILED);
        assertThat(suspended.getMessage()).isEqualTo("refused (org_suspended): the token's org is suspended");
        assertThat(suspended.hint()).contains("platform operator").contains("keyward org resume");

        CliException scope = client().failure(Service.TOKEN, 403, "{\"error\":\"forbidden\",\"message\":\"needs token:write\"}", null);
        assertThat(scope.getMessage()).isEqualTo("refused (forbidden): needs token:write");
        assertThat(scope.hint()).contains("lack the permission");
    }
}
