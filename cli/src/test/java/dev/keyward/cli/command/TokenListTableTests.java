package dev.keyward.cli.command;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code keyward token list} with a long scope list: 100 columns, or {@code COLUMNS} when it is set. */
class TokenListTableTests {

    @TempDir
    Path home;

    @Test
    void theTableFitsOneHundredColumnsOrColumns() throws IOException {
        String scopes = IntStream.range(0, 10).mapToObj(i -> "\"repos:team-" + i + "/*\":[\"git:read\",\"git:write\"]")
                .collect(Collectors.joining(","));
        String page = "{\"tokens\":[{\"id\":\"tok_7kqm2xyzab3cd4ef5gh6ij7k\",\"name\":\"ci deploy of every team\",\"kind\":\"repo\",\"environment\":\"prod\","
                + "\"key_prefix\":\"kw_prod_r_AbCdEfGh\",\"scopes\":{" + scopes + "},\"expires_at\":\"2027-03-01T12:00:00Z\","
                + "\"last_used_at\":\"2026-03-01T12:00:00Z\"}],\"next_page_token\":null}";
        try (RecordingServer api = new RecordingServer(200, page)) {
            Map<String, String> env = new HashMap<>(Map.of("XDG_CONFIG_HOME", home.toString(), "KEYWARD_TOKEN", "kw_anything",
                    "KEYWARD_URL", api.url()));
            List<String> lines = InProcessCli.run(env, "token", "list").out().lines().toList();
            assertThat(lines).hasSizeGreaterThan(2).allSatisfy(l -> assertThat(l.length()).as(l).isLessThanOrEqualTo(100));
            assertThat(lines.get(0)).startsWith("ID                            NAME").contains("PREFIX").contains("SCOPES").endsWith("EXPIRES");
            // Ids, prefixes and dates stay whole; the scope list wraps after its commas.
            assertThat(lines.get(1)).startsWith("tok_7kqm2xyzab3cd4ef5gh6ij7k  ci deploy").contains("kw_prod_r_AbCdEfGh")
                    .contains("repos:team-0/*=git:read,").endsWith("2027-03-01");
            assertThat(String.join("\n", lines)).contains("repos:team-9/*=git:read,");

            env.put("COLUMNS", "160");
            List<String> wide = InProcessCli.run(env, "token", "list").out().lines().toList();
            assertThat(wide).allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(160));
            assertThat(wide.size()).isLessThan(lines.size());
        }
    }
}
