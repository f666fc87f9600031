package dev.keyward.repo.content;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keyward.contract.ApiException;
import java.util.List;
import org.junit.jupiter.api.Test;

class ContentInputTest {

    @Test
    void relativePathsPass() {
        for (String path : List.of("README.md", "src/main/App.java", "a b/ü.txt", "dir.with.dots/..hidden", "%41.txt")) {
            assertThat(ContentInput.requiredPath(path, "path")).isEqualTo(path);
        }
        assertThat(ContentInput.optionalPath(null, "path")).isEmpty();
        assertThat(ContentInput.optionalPath("", "path")).isEmpty();
    }

    @Test
    void traversalAndOddPathsAreRefused() {
        for (String path : List.of("../x", "a/../../x", "..", ".", "a/./b", "/etc/passwd", "a//b", "a/", "a\\..\\b",
                "a\u0000b", "a\nb", "%2e%2e/x", "%2E%2e/x", "a%2fb", "a%5cb", "a%00", "\uFFFDx", "x\uD800",
                "a".repeat(ContentInput.MAX_PATH_LENGTH + 1))) {
            assertThatThrownBy(() -> ContentInput.requiredPath(path, "path")).as(path)
                    .isInstanceOfSatisfying(ApiException.class, e -> {
                        assertThat(e.status()).isEqualTo(400);
                        assertThat(e.error()).isEqualTo("invalid_path");
                    });
        }
    }

    @Test
    void pathsToWriteFollowGitsTreeRules() {
        assertThat(ContentInput.pathToWrite("docs/a.md", "p")).isEqualTo("docs/a.md");
        for (String path : List.of(".git/config", "a/.GIT/hooks", "a/.git", "a/git~1/x", "a/.git./x")) {
            assertThatThrownBy(() -> ContentInput.pathToWrite(path, "p")).as(path).isInstanceOf(ApiException.class);
        }
    }

    @Test
    void branchesTagsHeadAndFullShasPass() {
        assertThat(ContentInput.rev("main", "ref").name()).isEqualTo("main");
        assertThat(ContentInput.rev("feature/x-1.2", "ref").name()).isEqualTo("feature/x-1.2");
        assertThat(ContentInput.rev("refs/heads/main", "ref").name()).isEqualTo("refs/heads/main");
        assertThat(ContentInput.rev("refs/tags/v1", "ref").name()).isEqualTo("refs/tags/v1");
        assertThat(ContentInput.rev("HEAD", "ref")).isSameAs(Rev.HEAD);
        assertThat(ContentInput.optionalRev(null, "ref")).isSameAs(Rev.HEAD);
        String sha = "0123456789ABCDEF0123456789abcdef01234567";
        assertThat(ContentInput.rev(sha, "ref").sha().name()).isEqualTo(sha.toLowerCase());
        assertThat(ContentInput.branch("main", "branch")).isEqualTo("refs/heads/main");
        assertThat(ContentInput.branch("refs/heads/a/b", "branch")).isEqualTo("refs/heads/a/b");
    }

    @Test
    void otherNamespacesAndRevisionExpressionsAreRefused() {
        for (String ref : List.of("refs/notes/commits", "refs/remotes/origin/main", "refs/pull/1/head", "HEAD@{1}", "main@{yesterday}",
                "main~1", "main^", "main^{tree}", "a..b", "a:b", "a b", "a?", "a*", "a[1]", "-rf", "x.lock", "a/", "/a",
                "refs/heads/", "main\u0000", "%2e%2e", "m\uFFFD", "HEAD~", "refs/heads/HEAD", "a".repeat(256))) {
            assertThatThrownBy(() -> ContentInput.rev(ref, "ref")).as(ref)
                    .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.error()).isEqualTo("invalid_ref"));
        }
        assertThatThrownBy(() -> ContentInput.branch("refs/tags/v1", "branch")).isInstanceOf(ApiException.class);
        assertThatThrownBy(() -> ContentInput.optionalSha("abc123", "parent_sha"))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.error()).isEqualTo("invalid_sha"));
    }
}
