package dev.keyward.token.repository;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keyward.contract.ApiKeyFormat;
import dev.keyward.contract.TokenKind;
import jakarta.persistence.AttributeConverter;
import jakarta.persistence.Converter;
import java.util.List;
import java.util.Map;

/**
 * How the typed entity fields are stored: the schema's JSON text columns (scopes, CIDR lists,
 * JWKs) and wire-name text columns (kind, environment). The one place that reads those columns,
 * so no caller re-parses one.
 */
public final class Columns {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private Columns() {
    }

    /** Scopes in their canonical wire form, as JSON. */
    @Converter
    public static final class ScopesJson implements AttributeConverter<dev.keyward.contract.Scopes, String> {
        @Override
        public String convertToDatabaseColumn(dev.keyward.contract.Scopes scopes) {
            return scopes == null ? null : write(scopes.toWire());
        }

        @Override
        public dev.keyward.contract.Scopes convertToEntityAttribute(String json) {
            return json == null ? null
                    : dev.keyward.contract.Scopes.parse(read(json, new TypeReference<Map<String, List<String>>>() { }));
        }
    }

    /** A JSON array of strings; the column is null for none and reads back as an empty list. */
    @Converter
    public static final class StringListJson implements AttributeConverter<List<String>, String> {
        @Override
        public String convertToDatabaseColumn(List<String> list) {
            return list == null || list.isEmpty() ? null : write(list);
        }

        @Override
        public List<String> convertToEntityAttribute(String json) {
            return json == null ? List.of() : List.copyOf(read(json, new TypeReference<List<String>>() { }));
        }
    }

    /** A JSON object of string members (a public JWK). */
    @Converter
    public static final class StringMapJson implements AttributeConverter<Map<String, String>, String> {
        @Override
        public String convertToDatabaseColumn(Map<String, String> map) {
            return map == null ? null : write(map);
        }

        @Override
        public Map<String, String> convertToEntityAttribute(String json) {
            return json == null ? null : read(json, new TypeReference<Map<String, String>>() { });
        }
    }

    /** A token kind by its wire name. */
    @Converter
    public static final class Kind implements AttributeConverter<TokenKind, String> {
        @Override
        public String convertToDatabaseColumn(TokenKind kind) {
            return kind == null ? null : kind.wireName();
        }

        @Override
        public TokenKind convertToEntityAttribute(String name) {
            return name == null ? null : TokenKind.parse(name)
                    .orElseThrow(() -> new IllegalStateException("unknown token kind in the database: " + name));
        }
    }

    /** A key environment by its wire name. */
    @Converter
    public static final class Environment implements AttributeConverter<ApiKeyFormat.Environment, String> {
        @Override
        public String convertToDatabaseColumn(ApiKeyFormat.Environment environment) {
            return environment == null ? null : environment.wireName();
        }

        @Override
        public ApiKeyFormat.Environment convertToEntityAttribute(String name) {
            return name == null ? null : ApiKeyFormat.Environment.parse(name)
                    .orElseThrow(() -> new IllegalStateException("unknown environment in the database: " + name));
        }
    }

    private static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a JSON column", e);
        }
    }

    private static <T> T read(String json, TypeReference<T> type) {
        try {
            return MAPPER.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("unreadable JSON column", e);
        }
    }
}
