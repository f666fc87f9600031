package dev.keyward.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ScopesTest {

    private static Scopes scopes(Map<String, List<String>> wire) {
        return Scopes.parse(wire);
    }

    @Test
    void namespaceExactAndWildcardPatternsMatchRepositories() {
        Scopes s = scopes(Map.of("repos:team/*", List.of("read", "write"), "repos:shared-lib", List.of("git:read")));

        assertThat(s.allowsRepo(Permission.GIT_WRITE, "team/project-alpha")).isTrue();
        assertThat(s.allowsRepo(Permission.GIT_READ, "team/a/b")).isTrue();
        assertThat(s.allowsRepo(Permission.GIT_READ, "team")).isFalse();
        assertThat(s.allowsRepo(Permission.GIT_READ, "teamx/a")).isFalse();
        assertThat(s.allowsRepo(Permission.GIT_READ, "other/x")).isFalse();
        assertThat(s.allowsRepo(Permission.GIT_READ, "shared-lib")).isTrue();
        assertThat(s.allowsRepo(Permission.GIT_WRITE, "shared-lib")).isFalse();
        assertThat(scopes(Map.of("repos:*", List.of("git:read"))).allowsRepo(Permission.GIT_READ, "any/thing")).isTrue();
    }

    @Test
    void writeImpliesReadAndShorthandIsCanonicalised() {
        Scopes s = scopes(Map.of("repos:a", List.of("write")));
        assertThat(s.allowsRepo(Permission.GIT_READ, "a")).isTrue();
        assertThat(s.toWire()).isEqualTo(Map.of("repos:a", List.of("git:write")));
    }

    @Test
    void subsetRuleRefusesWiderPatternsAndPermissions() {
        Scopes holder = scopes(Map.of("repos:team/*", List.of("git:write"), "org", List.of("org:read")));

        assertThat(scopes(Map.of("repos:team/x", List.of("git:read"))).isSubsetOf(holder)).isTrue();
        assertThat(scopes(Map.of("repos:team/sub/*", List.of("git:write"))).isSubsetOf(holder)).isTrue();
        assertThat(scopes(Map.of("repos:*", List.of("git:read"))).isSubsetOf(holder)).isFalse();
        assertThat(scopes(Map.of("repos:other/x", List.of("git:read"))).isSubsetOf(holder)).isFalse();
        assertThat(scopes(Map.of("org", List.of("token:write"))).isSubsetOf(holder)).isFalse();
        assertThat(scopes(Map.of("org", List.of("token:write"))).excessOver(holder)).containsExactly("org=token:write");
    }

    @Test
    void grammarErrorsSayWhatIsWrong() {
        assertThatThrownBy(() -> scopes(Map.of("repos:../etc", List.of("read")))).hasMessageContaining("..");
        assertThatThrownBy(() -> scopes(Map.of("files:x", List.of("read")))).hasMessageContaining("unknown scope resource");
        assertThatThrownBy(() -> scopes(Map.of("repos:x", List.of("fly")))).hasMessageContaining("unknown permission 'fly'");
        assertThatThrownBy(() -> scopes(Map.of("repos:x", List.of("token:write")))).hasMessageContaining("does not apply");
        assertThatThrownBy(() -> scopes(Map.of())).hasMessageContaining("at least one");
    }

    @Test
    void repoTokensHoldOnlyGitPermissionsOnRepositories() {
        assertThat(scopes(Map.of("repos:a/*", List.of("git:read"))).problemForKind(TokenKind.REPO)).isEmpty();
        assertThat(scopes(Map.of("org", List.of("org:read"))).problemForKind(TokenKind.REPO)).isPresent();
        assertThat(scopes(Map.of("repos:a", List.of("repo:write"))).problemForKind(TokenKind.REPO)).isPresent();
        assertThat(scopes(Map.of("org", List.of("org:read"))).problemForKind(TokenKind.ORG)).isEmpty();
    }
}
