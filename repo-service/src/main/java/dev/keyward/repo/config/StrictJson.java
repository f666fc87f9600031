package dev.keyward.repo.config;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keyward.contract.StrictJsonBodies;
import io.quarkus.jackson.ObjectMapperCustomizer;
import jakarta.inject.Singleton;

/**
 * Request bodies are read strictly, as in every service ({@link StrictJsonBodies}): {@code {"id": true}}
 * is a wrong type, not a repository named {@code true}, and a second {@code id} is a refusal, not a choice.
 */
@Singleton
public class StrictJson implements ObjectMapperCustomizer {

    @Override
    public void customize(ObjectMapper mapper) {
        StrictJsonBodies.configure(mapper);
    }
}
