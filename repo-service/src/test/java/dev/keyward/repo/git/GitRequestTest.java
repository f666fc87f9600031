package dev.keyward.repo.git;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyward.contract.Permission;
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
    void onlyTheReceivePackRequestIsThePush() {
        assertThat(GitRequest.parse("/acme/a.git/git-receive-pack", null).orElseThrow().isPush()).isTrue();
        assertThat(GitRequest.parse("/acme/a.git/info/refs", "git-receive-pack").orElseThrow().isPush())
                .as("its ref discovery is a use like any other").isFalse();
        assertThat(GitRequest.parse("/acme/a.git/git-upload-pack", null).orElseThrow().isPush()).isFalse();
    }

    @Test
    void refusesPathsThatAreNotRepositories() {
        assertThat(GitRequest.parse("/acme/../etc.git/info/refs", null)).isEmpty();
        assertThat(GitRequest.parse("/acme/a//b.git/info/refs", null)).isEmpty();
        assertThat(GitRequest.parse("/acme/info/refs", null)).isEmpty();
        assertThat(GitRequest.parse("/v1/repos", null)).isEmpty();
        assertThat(GitRequest.parse(null, null)).isEmpty();
    }
}
