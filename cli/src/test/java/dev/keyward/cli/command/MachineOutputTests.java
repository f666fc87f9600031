package dev.keyward.cli.command;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyward.cli.ExitCode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --json [FIELDS]} and {@code --jq EXPR} on the command line, anywhere on it, for any command. */
class MachineOutputTests {

    private static final String PAGE = "{\"tokens\":[{\"id\":\"tok_a\",\"name\":\"ci\",\"kind\":\"repo\",\"scopes\":{\"repos:team/*\":[\"git:read\"]}},"
            + "{\"id\":\"tok_b\",\"name\":\"deploy\",\"kind\":\"org\",\"scopes\":{\"org\":[\"org:read\"]}}],\"next_page_token\":null}";

    @TempDir
    Path home;

    private InProcessCli.Result run(RecordingServer api, String... args) {
        return InProcessCli.run(Map.of("XDG_CONFIG_HOME", home.toString(), "KEYWARD_TOKEN", "kw_anything", "KEYWARD_URL", api.url()), args);
    }

    @Test
    void jsonTakesFieldsWhereverItStandsButNeverASubcommand() throws IOException {
        try (RecordingServer api = new RecordingServer(200, PAGE)) {
            assertThat(run(api, "--json", "token", "list").out()).contains("\"scopes\"").contains("\"kind\"");
            String fields = run(api, "token", "list", "--json", "id,name").out();
            assertThat(fields.replaceAll("\\s", "")).isEqualTo("[{\"id\":\"tok_a\",\"name\":\"ci\"},{\"id\":\"tok_b\",\"name\":\"deploy\"}]");
            assertThat(run(api, "--json=id,name", "token", "list").out()).isEqualTo(fields);
            assertThat(run(api, "token", "list", "--json", "--all").out()).contains("\"scopes\"");
        }
    }

    @Test
    void jqFiltersAndImpliesJson() throws IOException {
        try (RecordingServer api = new RecordingServer(200, PAGE)) {
            InProcessCli.Result r = run(api, "token", "list", "--jq", ".[] | select(.kind == \"org\") | .name");

            assertThat(r.exit()).as(r.err()).isZero();
            assertThat(r.out().lines()).containsExactly("deploy");
            assertThat(run(api, "--json", "id", "--jq", ".[0]", "token", "list").out().strip()).isEqualTo("{\"id\":\"tok_a\"}");
        }
    }

    @Test
    void unknownFieldsAndBadExpressionsAreUsageErrors() throws IOException {
        try (RecordingServer api = new RecordingServer(200, PAGE)) {
            InProcessCli.Result unknown = run(api, "token", "list", "--json", "id,nmae");
            assertThat(unknown.exit()).isEqualTo(ExitCode.USAGE);
            assertThat(unknown.out()).isEmpty();
            assertThat(unknown.err()).contains("unknown JSON field 'nmae'").contains("id, kind, name, scopes");

            int sent = api.requests.size();
            InProcessCli.Result jq = run(api, "token", "list", "--jq", ".[ |");
            assertThat(jq.exit()).isEqualTo(ExitCode.USAGE);
            assertThat(jq.err()).contains("--jq");
            InProcessCli.Result syntax = run(api, "token", "list", "--json=id;name");
            assertThat(syntax.exit()).isEqualTo(ExitCode.USAGE);
            assertThat(api.requests).as("nothing sent for a bad --jq or field list").hasSize(sent);
        }
    }

    @Test
    void aFieldListTakenForAPositionalArgumentSaysWhereToPutJson() throws IOException {
        try (RecordingServer api = new RecordingServer(200, "{}")) {
            InProcessCli.Result r = run(api, "repo", "delete", "--json", "app");

            assertThat(r.exit()).isEqualTo(ExitCode.USAGE);
            assertThat(r.err()).contains("--json took 'app' as the fields to print: put --json after the arguments");
            assertThat(api.requests).isEmpty();
        }
    }
}
