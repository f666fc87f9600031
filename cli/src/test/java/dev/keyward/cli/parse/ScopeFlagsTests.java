package dev.keyward.cli.parse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ScopeFlagsTests {

    @Test
    void oneFlagPerResourceBecomesTheCanonicalWireForm() {
        Map<String, List<String>> wire = ScopeFlags.toWire(List.of("repos:team/*=git:write,git:read", "org=org:read"));

        assertThat(wire).containsExactly(
                Map.entry("org", List.of("org:read")),
                Map.entry("repos:team/*", List.of("git:read", "git:write")));
    }

    @Test
    void repeatingAResourceAddsPermissionsAndShorthandIsExpanded() {
        Map<String, List<String>> wire = ScopeFlags.toWire(List.of("repos:shared-lib=read", "repos:shared-lib=write"));

        assertThat(wire).containsExactly(Map.entry("repos:shared-lib", List.of("git:read", "git:write")));
    }

    @Test
    void spacesAroundPermissionsAreTolerated() {
        assertThat(ScopeFlags.toWire(List.of("repos:*= git:read , git:write")))
                .containsExactly(Map.entry("repos:*", List.of("git:read", "git:write")));
    }

    @Test
    void aFlagWithoutPermissionsIsRefusedWithAnExample() {
        assertThatThrownBy(() -> ScopeFlags.toWire(List.of("repos:team/*")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("RESOURCE=PERMISSION")
                .hasMessageContaining("repos:team/*=git:read,git:write");
        assertThatThrownBy(() -> ScopeFlags.toWire(List.of("repos:x=")))
                .hasMessageContaining("RESOURCE=PERMISSION");
        assertThatThrownBy(() -> ScopeFlags.toWire(List.of("repos:x=git:read,,git:write")))
                .hasMessageContaining("empty permission");
    }

    @Test
    void theVerificationGrammarDecidesWhatIsValid() {
        assertThatThrownBy(() -> ScopeFlags.toWire(List.of("repos:team/*=git:admin")))
                .hasMessageContaining("unknown permission 'git:admin'");
        assertThatThrownBy(() -> ScopeFlags.toWire(List.of("repos:team=token:write")))
                .hasMessageContaining("does not apply to repositories");
        assertThatThrownBy(() -> ScopeFlags.toWire(List.of("repos:../etc=git:read")))
                .hasMessageContaining("'..'");
        assertThatThrownBy(() -> ScopeFlags.toWire(List.of("buckets:x=git:read")))
                .hasMessageContaining("unknown scope resource");
    }

    @Test
    void noScopeAtAllIsRefused() {
        assertThatThrownBy(() -> ScopeFlags.toWire(List.of()))
                .hasMessageContaining("at least one --scope");
    }

    @Test
    void aTokenExchangeAsksForResourcesAndBarePermissionsAsSpaceSeparatedItems() {
        assertThat(ScopeFlags.toRequestedScope(List.of("repos:app=read", "git:write", "repos:app=git:write", "read")))
                .isEqualTo("repos:app=git:read,git:write git:write git:read");
        assertThat(ScopeFlags.toRequestedScope(List.of())).isEmpty();
        assertThatThrownBy(() -> ScopeFlags.toRequestedScope(List.of("admin")))
                .hasMessageContaining("neither RESOURCE=PERMISSION");
        assertThatThrownBy(() -> ScopeFlags.toRequestedScope(List.of("repos:x y=read")))
                .hasMessageContaining("bad scope resource");
    }

    @Test
    void theWireFormIsShownInFlagSpelling() {
        assertThat(ScopeFlags.display(ScopeFlags.toWire(List.of("repos:a=read", "org=org:read,audit:read"))))
                .isEqualTo("org=org:read,audit:read repos:a=git:read");
    }
}
