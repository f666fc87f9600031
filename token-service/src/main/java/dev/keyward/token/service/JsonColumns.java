package dev.keyward.token.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;

/** The JSON text columns of the schema (scopes, CIDR lists, JWKs). */
public final class JsonColumns {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private JsonColumns() {
    }

    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a JSON column", e);
        }
    }

    public static Map<String, List<String>> scopes(String json) {
        return read(json, new TypeReference<>() { });
    }

    /** An empty list for a null column. */
    public static List<String> strings(String json) {
        return json == null ? List.of() : read(json, new TypeReference<List<String>>() { });
    }

    public static Map<String, String> stringMap(String json) {
        return read(json, new TypeReference<>() { });
    }

    private static <T> T read(String json, TypeReference<T> type) {
        try {
            return MAPPER.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("unreadable JSON column", e);
        }
    }
}
