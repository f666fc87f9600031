package dev.keyward.token.config;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keyward.contract.StrictJsonBodies;
import io.quarkus.jackson.ObjectMapperCustomizer;
import jakarta.inject.Singleton;

/**
 * Request bodies are read strictly, as in every service ({@link StrictJsonBodies}): unknown fields,
 * duplicate keys, wrong JSON types and anything after the document are refused, never defaulted.
 */
@Singleton
public class StrictJson implements ObjectMapperCustomizer {

    @Override
    public void customize(ObjectMapper mapper) {
        StrictJsonBodies.configure(mapper);
    }
}
