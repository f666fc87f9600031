package dev.keyward.token.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keyward.contract.ApiException;
import dev.keyward.contract.Scopes;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The plain rules of workload identity exchange: claim globs, the scope parameter, trust policy fields. */
class ExchangeRulesTest {

    private static final Scopes POLICY = Scopes.parse(Map.of("repos:acme/*", List.of("git:read", "git:write"),
            "repos:shared-lib", List.of("git:read"), "org", List.of("org:read")));

    @Test
    void aGlobMatchesTheWholeValueWithStarAsTheOnlyWildcard() {
        ClaimGlob branch = ClaimGlob.of("repo:acme/app:ref:refs/heads/*");
        assertThat(branch.matches("repo:acme/app:ref:refs/heads/main")).isTrue();
        assertThat(branch.matches("repo:acme/app:ref:refs/heads/feature/x")).isTrue();
        assertThat(branch.matches("repo:acme/app:ref:refs/tags/v1")).isFalse();
        assertThat(branch.matches("xrepo:acme/app:ref:refs/heads/main")).as("anchored at the start").isFalse();
        assertThat(ClaimGlob.of("acme/app").matches("acme/app-fork")).as("anchored at the end").isFalse();
        // Regex metacharacters are literal: "." is a dot and "?" a question mark.
        assertThat(ClaimGlob.of("a.b").matches("axb")).isFalse();
        assertThat(ClaimGlob.of("a?").matches("ab")).isFalse();
        assertThat(ClaimGlob.of("(x|y)*").matches("(x|y)z")).isTrue();
        assertThat(ClaimGlob.of("*").matches("")).isTrue();
        // Numbers and booleans by their text, arrays by any element, objects and absence never.
        assertThat(ClaimGlob.of("42").matches(42L)).isTrue();
        assertThat(ClaimGlob.of("true").matches(true)).isTrue();
        assertThat(ClaimGlob.of("b*").matches(List.of("a", "bc"))).isTrue();
        assertThat(ClaimGlob.of("*").matches(Map.of("k", "v"))).isFalse();
        assertThat(ClaimGlob.of("*").matches(null)).isFalse();
        assertThatThrownBy(() -> ClaimGlob.of("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ClaimGlob.of("x".repeat(501))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theScopeParameterNarrowsWithinThePolicyAndNeverWidens() throws Exception {
        assertThat(ExchangeScopes.grant(null, POLICY)).isEqualTo(POLICY);
        assertThat(ExchangeScopes.grant("  ", POLICY)).isEqualTo(POLICY);
        assertThat(ExchangeScopes.grant("git:read", POLICY).toWire())
                .isEqualTo(Map.of("repos:acme/*", List.of("git:read"), "repos:shared-lib", List.of("git:read")));
        assertThat(ExchangeScopes.grant("git:write", POLICY).toWire()).isEqualTo(Map.of("repos:acme/*", List.of("git:write")));
        assertThat(ExchangeScopes.grant("repos:acme/app=git:read,git:write org=org:read", POLICY).toWire())
                .isEqualTo(Map.of("repos:acme/app", List.of("git:read", "git:write"), "org", List.of("org:read")));
        assertThat(ExchangeScopes.grant("repos:acme/app=read", POLICY).toWire())
                .as("shorthand as in token requests").isEqualTo(Map.of("repos:acme/app", List.of("git:read")));
        assertThatThrownBy(() -> ExchangeScopes.grant("repos:shared-lib=git:write", POLICY))
                .isInstanceOf(ExchangeScopes.Refused.class).hasMessageContaining("repos:shared-lib=git:write");
        assertThatThrownBy(() -> ExchangeScopes.grant("repos:*=git:read", POLICY)).isInstanceOf(ExchangeScopes.Refused.class);
        assertThatThrownBy(() -> ExchangeScopes.grant("org:admin", POLICY)).isInstanceOf(ExchangeScopes.Refused.class)
                .hasMessageContaining("org:admin");
        assertThatThrownBy(() -> ExchangeScopes.grant("repos:acme/app=", POLICY)).isInstanceOf(ExchangeScopes.Refused.class);
        assertThatThrownBy(() -> ExchangeScopes.grant("=git:read", POLICY)).isInstanceOf(ExchangeScopes.Refused.class);
        assertThatThrownBy(() -> ExchangeScopes.grant("repos:acme/app=git:fly", POLICY)).isInstanceOf(ExchangeScopes.Refused.class);
        assertThat(ExchangeScopes.format(ExchangeScopes.grant("git:read", POLICY)))
                .isEqualTo("repos:acme/*=git:read repos:shared-lib=git:read");
    }

    @Test
    void aTrustPolicyIsCheckedFieldByField() {
        Map<String, List<String>> read = Map.of("repos:acme/*", List.of("git:read"));
        TrustPolicyRules.Checked checked = TrustPolicyRules.check("ci", " https://token.actions.githubusercontent.com ",
                "keyward", "repo:acme/*", Map.of("ref", "refs/heads/main"), read, null, 3600);
        assertThat(checked.issuer()).isEqualTo("https://token.actions.githubusercontent.com");
        assertThat(checked.maxTtlSeconds()).as("the cap is the default").isEqualTo(3600);
        assertThat(checked.claims()).containsEntry("ref", "refs/heads/main");

        assertRefused(() -> TrustPolicyRules.check("ci", null, "keyward", "*", null, read, null, 3600), "issuer");
        assertRefused(() -> TrustPolicyRules.check("ci", "https://i", " ", "*", null, read, null, 3600), "audience");
        assertRefused(() -> TrustPolicyRules.check("ci", "https://i", "keyward", "", null, read, null, 3600), "subject");
        assertRefused(() -> TrustPolicyRules.check("ci", "https://i", "keyward", "*", Map.of("aud", "x"), read, null, 3600),
                "claims.aud");
        assertRefused(() -> TrustPolicyRules.check("ci", "https://i", "keyward", "*", Map.of("bad name", "x"), read, null, 3600),
                "claim name");
        assertRefused(() -> TrustPolicyRules.check("ci", "https://i", "keyward", "*", null, Map.of(), null, 3600), "scopes");
        assertRefused(() -> TrustPolicyRules.check("ci", "https://i", "keyward", "*", null,
                Map.of("org", List.of("orgs:write")), null, 3600), "scopes");
        assertRefused(() -> TrustPolicyRules.check("ci", "https://i", "keyward", "*", null, read, 3601L, 3600), "max_ttl");
        assertRefused(() -> TrustPolicyRules.check("ci", "https://i", "keyward", "*", null, read, 59L, 3600), "max_ttl");
        assertRefused(() -> TrustPolicyRules.check("", "https://i", "keyward", "*", null, read, null, 3600), "name");
    }

    private static void assertRefused(Runnable call, String naming) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.status()).isEqualTo(422);
            assertThat(e.getMessage()).contains(naming);
        });
    }
}
