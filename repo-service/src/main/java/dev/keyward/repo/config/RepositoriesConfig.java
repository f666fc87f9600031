package dev.keyward.repo.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;

/** Where repositories live and how they start. */
@ConfigMapping(prefix = "keyward.repos")
public interface RepositoriesConfig {

    /** Root directory of the bare repositories, laid out as {@code <org>/<repo id>.git}. */
    Path dir();

    /** The branch HEAD names in a new repository. */
    @WithDefault("main")
    String defaultBranch();

}
