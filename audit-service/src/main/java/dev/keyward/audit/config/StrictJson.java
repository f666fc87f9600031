package dev.keyward.audit.config;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keyward.contract.StrictJsonBodies;
import io.quarkus.jackson.ObjectMapperCustomizer;
import jakarta.inject.Singleton;

/**
 * Request bodies are read strictly, as in every service ({@link StrictJsonBodies}). The audit API
 * takes none today; the one it takes next is read like the other services' from its first day.
 */
@Singleton
public class StrictJson implements ObjectMapperCustomizer {

    @Override
    public void customize(ObjectMapper mapper) {
        StrictJsonBodies.configure(mapper);
    }
}
