package dev.keyward.verification;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keyward.contract.Introspection;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TokenServiceClientTest {

    private static byte[] bytes(String json) {
        return json.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void anActiveAnswerBindsToTheSharedRecord() {
        Introspection i = TokenServiceClient.readIntrospection(bytes("""
                {"active":true,"id":"tok_1","org":"acme","subject":"ci","kind":"repo","environment":"prod",
                 "scopes":{"repos:team/*":["git:read","git:write"]},"key_prefix":"kw_prod_r_abcdefgh",
                 "expires_at":"2027-01-02T03:04:05Z","allowed_cidrs":["10.0.0.0/8"],"added_later":1}"""));
        assertThat(i).isEqualTo(new Introspection(true, null, "tok_1", "acme", "ci", "repo", "prod",
                Map.of("repos:team/*", List.of("git:read", "git:write")), "kw_prod_r_abcdefgh",
                Instant.parse("2027-01-02T03:04:05Z"), List.of("10.0.0.0/8")));
    }

    @Test
    void anInactiveAnswerKeepsOnlyItsReason() {
        assertThat(TokenServiceClient.readIntrospection(bytes("{\"active\":false,\"reason\":\"revoked\",\"org\":\"acme\"}")))
                .isEqualTo(Introspection.inactive("revoked"));
    }

    @Test
    void anUnreadableAnswerSaysSoWithoutQuotingIt() {
        assertThatThrownBy(() -> TokenServiceClient.readIntrospection(bytes("{\"active\":true,\"expires_at\":\"kw_secret\"}")))
                .isInstanceOf(TokenServiceClient.TokenServiceException.class)
                .hasMessageNotContaining("kw_secret");
    }
}
