package dev.keyward.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ApiKeyFormatTest {

    @Test
    void generatedKeysHaveTheContractShapeAndParse() {
        String key = ApiKeyFormat.generate(ApiKeyFormat.Environment.PROD, TokenKind.ORG);

        assertThat(key).matches("kw_prod_o_[0-9A-Za-z]{32}_[0-9A-Za-z]{6}");
        ApiKeyFormat.ParsedKey parsed = ApiKeyFormat.parse(key).orElseThrow();
        assertThat(parsed.kind()).isEqualTo(TokenKind.ORG);
        assertThat(parsed.environment()).isEqualTo(ApiKeyFormat.Environment.PROD);
        assertThat(parsed.prefix()).isEqualTo(key.substring(0, 18)).hasSize("kw_prod_o_".length() + 8);
        String dev = ApiKeyFormat.generate(ApiKeyFormat.Environment.DEV, TokenKind.REPO);
        assertThat(ApiKeyFormat.prefixOf(dev)).isEqualTo(dev.substring(0, 17)).hasSize("kw_dev_r_".length() + 8);
        // What does not start like a key shows no more than it did.
        assertThat(ApiKeyFormat.prefixOf("ghp_0123456789abcdefghij")).isEqualTo("ghp_01234567");
    }

    @Test
    void aChangedCharacterFailsTheChecksum() {
        String key = ApiKeyFormat.generate(ApiKeyFormat.Environment.DEV, TokenKind.REPO);
        char c = key.charAt(15);
        String typo = key.substring(0, 15) + (c == 'a' ? 'b' : 'a') + key.substring(16);

        assertThat(ApiKeyFormat.parse(typo)).isEmpty();
        assertThat(ApiKeyFormat.parse("kw_prod_o_short_abcdef")).isEmpty();
        assertThat(ApiKeyFormat.parse(null)).isEmpty();
    }

    @Test
    void keysDoNotRepeat() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            assertThat(seen.add(ApiKeyFormat.generate(ApiKeyFormat.Environment.DEV, TokenKind.ORG))).isTrue();
        }
    }

    @Test
    void theShapeCheckAgreesWithTheContractPatternOnEveryOneCharacterChange() {
        java.util.regex.Pattern contract = java.util.regex.Pattern.compile("kw_(prod|dev)_[or]_[0-9A-Za-z]{32}_[0-9A-Za-z]{6}");
        for (String key : List.of(ApiKeyFormat.generate(ApiKeyFormat.Environment.PROD, TokenKind.ORG),
                ApiKeyFormat.generate(ApiKeyFormat.Environment.DEV, TokenKind.REPO))) {
            assertThat(ApiKeyFormat.problemOf(key)).isEmpty();
            List<String> variants = new java.util.ArrayList<>(List.of(key + "a", key.substring(1), key.substring(0, key.length() - 1),
                    key.replace("kw_", "KW_"), key.replace("_o_", "_x_").replace("_r_", "_x_"), ""));
            for (int i = 0; i < key.length(); i++) {
                for (char c : "_-aZ9.é".toCharArray()) {
                    variants.add(key.substring(0, i) + c + key.substring(i + 1));
                }
            }
            for (String v : variants) {
                Optional<ApiKeyFormat.Problem> problem = ApiKeyFormat.problemOf(v);
                if (!contract.matcher(v).matches()) {
                    assertThat(problem).as(v).contains(ApiKeyFormat.Problem.MALFORMED);
                } else if (!v.equals(key)) {
                    assertThat(problem).as(v).contains(ApiKeyFormat.Problem.BAD_CHECKSUM);
                }
            }
        }
    }

    @Test
    void aDisplayPrefixNamesItsKindAndEnvironment() {
        for (TokenKind kind : TokenKind.values()) {
            String prefix = ApiKeyFormat.prefixOf(ApiKeyFormat.generate(ApiKeyFormat.Environment.DEV, kind));
            assertThat(ApiKeyFormat.kindOfPrefix(prefix)).contains(kind);
            assertThat(ApiKeyFormat.environmentOfPrefix(prefix)).contains(ApiKeyFormat.Environment.DEV);
        }
        assertThat(ApiKeyFormat.kindOfPrefix("kw_prod_r_")).contains(TokenKind.REPO);
        assertThat(ApiKeyFormat.kindOfPrefix("kw_prod_x_ABCDEFGH")).isEmpty();
        assertThat(ApiKeyFormat.kindOfPrefix("xtok_1234567")).isEmpty();
        assertThat(ApiKeyFormat.kindOfPrefix(null)).isEmpty();
    }
}
