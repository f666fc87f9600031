package dev.keyward.repo.config;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Limits of the content API ({@code /v1/repos/{id}/commits}, {@code …/blob}, ...). */
@ConfigMapping(prefix = "keyward.repos.content")
public interface ContentConfig {

    /** The most a blob (or a range of one) or a unified diff may send: beyond it, 413. */
    @WithDefault("10M")
    MemorySize maxBlobBytes();

    /** The largest commit or merge request body (file contents travel base64-encoded in it). */
    @WithDefault("32M")
    MemorySize maxRequestBytes();
}
