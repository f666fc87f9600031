package dev.keyward.repo.git;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyward.verification.CredentialForm;
import dev.keyward.verification.Permission;
import dev.keyward.verification.Scopes;
import dev.keyward.verification.TokenKind;
import dev.keyward.verification.VerifiedPrincipal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GitRequestTest {

    @Test
    void readsOrgRepoAndPermissionFromSmartHttpPaths() {
        GitRequest refs = GitRequest.parse("/acme/team/project-alpha.git/info/refs", "git-upload-pack").orElseThrow();
        assertThat(refs.org()).isEqualTo("acme");
        assertThat(refs.repoId()).isEqualTo("team/project-alpha");
        assertThat(refs.permission()).isEqualTo(Permission.GIT_READ);

        assertThat(GitRequest.parse("/acme/a.git/git-upload-pack", null).orElseThrow().permission()).isEqualTo(Permission.GIT_READ);
        assertThat(GitRequest.parse("/acme/a.git/git-receive-pack", null).orElseThrow().permission()).isEqualTo(Permission.GIT_WRITE);
        assertThat(GitRequest.parse("/acme/a.git/info/refs", "git-receive-pack").orElseThrow().permission())
                .as("push discovery already needs write").isEqualTo(Permission.GIT_WRITE);
        assertThat(GitRequest.parse("/acme/ns/a.git/b.git/info/refs", null).orElseThrow().repoId()).isEqualTo("ns/a.git/b");
    }

    @Test
    void onlyTheUploadAndReceivePackRequestsStreamAPack() {
        assertThat(GitRequest.parse("/acme/a.git/git-upload-pack", null).orElseThrow().streamsPack()).isTrue();
        assertThat(GitRequest.parse("/acme/a.git/git-receive-pack", null).orElseThrow().streamsPack()).isTrue();
        assertThat(GitRequest.parse("/acme/a.git/info/refs", "git-receive-pack").orElseThrow().streamsPack()).isFalse();
        assertThat(GitRequest.parse("/acme/a.git/HEAD", null).orElseThrow().streamsPack()).isFalse();
    }

    @Test
    void refusesPathsThatAreNotRepositories() {
        assertThat(GitRequest.parse("/acme/../etc.git/info/refs", null)).isEmpty();
        assertThat(GitRequest.parse("/acme/a//b.git/info/refs", null)).isEmpty();
        assertThat(GitRequest.parse("/acme/info/refs", null)).isEmpty();
        assertThat(GitRequest.parse("/v1/repos", null)).isEmpty();
        assertThat(GitRequest.parse(null, null)).isEmpty();
    }

    @Test
    void expiryNoticeOnlyWithinTheWindow() {
        Instant now = Instant.parse("2026-03-01T10:00:00Z");
        VerifiedPrincipal soon = principal(now.plus(Duration.ofDays(3)).plusSeconds(60));
        ExpiryNotice notice = ExpiryNotice.of(soon, Duration.ofDays(14), now).orElseThrow();
        assertThat(notice.sunsetHeader()).isEqualTo("Wed, 04 Mar 2026 10:01:00 GMT");
        assertThat(notice.warning()).startsWith("warning: this Keyward token expires in 3 days");
        assertThat(ExpiryNotice.of(principal(now.plus(Duration.ofDays(15))), Duration.ofDays(14), now)).isEmpty();
        assertThat(ExpiryNotice.of(principal(null), Duration.ofDays(14), now)).isEmpty();
    }

    private static VerifiedPrincipal principal(Instant expiresAt) {
        return new VerifiedPrincipal("acme", "u", "tok_1", TokenKind.REPO, Scopes.parse(Map.of("repos:*", List.of("git:read"))),
                expiresAt, "kw_prod_r_ab", List.of(), CredentialForm.API_KEY);
    }
}
