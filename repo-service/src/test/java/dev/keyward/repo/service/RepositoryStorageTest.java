package dev.keyward.repo.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keyward.repo.config.RepositoriesConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RepositoryStorageTest {

    @TempDir
    Path root;

    private RepositoryStorage storage() {
        return new RepositoryStorage(new RepositoriesConfig() {
            @Override
            public Path dir() {
                return root;
            }

            @Override
            public String defaultBranch() {
                return "main";
            }

        });
    }

    @Test
    void createsBareRepositoriesPerOrgWithMainAsHead() throws Exception {
        RepositoryStorage s = storage();
        s.create("acme", "team/app");
        Path dir = root.resolve("acme/team/app.git");
        try (Repository repo = new FileRepositoryBuilder().setGitDir(dir.toFile()).setMustExist(true).build()) {
            assertThat(repo.isBare()).isTrue();
            assertThat(repo.getFullBranch()).isEqualTo("refs/heads/main");
        }
        assertThatThrownBy(() -> s.create("acme", "team/app")).isInstanceOf(IllegalStateException.class);

        s.create("acme", "team/other");
        s.delete("acme", "team/app");
        assertThat(dir).doesNotExist();
        assertThat(root.resolve("acme/team")).as("still holds team/other").isDirectory();
        s.delete("acme", "team/other");
        assertThat(root.resolve("acme/team")).doesNotExist();
        assertThat(root.resolve("acme")).exists();
    }

    @Test
    void nothingCanLeaveTheRoot() {
        RepositoryStorage s = storage();
        assertThatThrownBy(() -> s.pathOf("acme", "../../etc")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> s.pathOf("..", "x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> s.pathOf("a/b", "x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> s.pathOf("acme", "/abs")).isInstanceOf(IllegalArgumentException.class);
        assertThat(s.pathOf("acme", "a/b")).isEqualTo(root.toAbsolutePath().normalize().resolve("acme/a/b.git"));
        assertThat(Files.exists(root.resolve("etc"))).isFalse();
    }
}
