package dev.keyward.cli.output;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.keyward.cli.CliException;
import dev.keyward.cli.ExitCode;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class JsonOutputTests {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final String TOKENS = """
            [{"id":"tok_a","name":"ci","kind":"repo","scopes":{"repos:team/*":["git:read"]},"last_used_at":null},
             {"id":"tok_b","name":"deploy","kind":"org","scopes":{"org":["org:read"]}}]""";

    private static String print(JsonOutput output, String document) throws Exception {
        StringWriter text = new StringWriter();
        output.print(JSON.readTree(document), JSON, new PrintWriter(text));
        return text.toString();
    }

    @Test
    void fieldsAreCutFromEachElementInTheOrderAsked() throws Exception {
        JsonNode cut = JSON.readTree(print(JsonOutput.of("name,id", null), TOKENS));

        assertThat(cut.toString()).isEqualTo("[{\"name\":\"ci\",\"id\":\"tok_a\"},{\"name\":\"deploy\",\"id\":\"tok_b\"}]");
        assertThat(JSON.readTree(print(JsonOutput.of("last_used_at", null), TOKENS)).toString())
                .as("a field some elements lack is null in those").isEqualTo("[{\"last_used_at\":null},{\"last_used_at\":null}]");
        assertThat(JSON.readTree(print(JsonOutput.of("kind", null), "{\"id\":\"tok_a\",\"kind\":\"repo\"}")).toString())
                .isEqualTo("{\"kind\":\"repo\"}");
        assertThat(print(JsonOutput.of("", null), TOKENS)).as("bare --json: the whole document, indented")
                .isEqualTo(JSON.writeValueAsString(JSON.readTree(TOKENS)) + System.lineSeparator());
    }

    @Test
    void anUnknownFieldIsAUsageErrorListingTheValidOnes() {
        assertThatThrownBy(() -> print(JsonOutput.of("id,nmae", null), TOKENS))
                .isInstanceOfSatisfying(CliException.class, e -> {
                    assertThat(e.exitCode()).isEqualTo(ExitCode.USAGE);
                    assertThat(e.getMessage()).isEqualTo(
                            "unknown JSON field 'nmae'; this command's fields are: id, kind, last_used_at, name, scopes");
                });
        assertThatThrownBy(() -> JsonOutput.of("id name", null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("separated by commas");
    }

    @Test
    void jqFiltersWithStringsRawAndOtherValuesAsCompactJson() throws Exception {
        assertThat(print(JsonOutput.of(null, ".[] | select(.kind == \"repo\") | .id"), TOKENS).lines()).containsExactly("tok_a");
        assertThat(print(JsonOutput.of(null, "map(.scopes | keys[0])"), TOKENS).lines())
                .containsExactly("[\"repos:team/*\",\"org\"]");
        assertThat(print(JsonOutput.of("id", "length"), TOKENS).lines()).containsExactly("2");
        assertThat(print(JsonOutput.of(null, ".[].name | ascii_upcase"), TOKENS).lines()).containsExactly("CI", "DEPLOY");

        assertThatThrownBy(() -> JsonOutput.of(null, ".[ | ")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("--jq: ");
        assertThatThrownBy(() -> print(JsonOutput.of(null, ".nope"), TOKENS))
                .isInstanceOfSatisfying(CliException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.FAILED));
    }
}
