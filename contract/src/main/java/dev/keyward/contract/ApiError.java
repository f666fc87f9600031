package dev.keyward.contract;

import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The body of every error answer of every service: a machine-readable {@code error} code, a
 * human {@code message}, and optional further fields written flat beside them (e.g. the excess
 * scopes of an escalation, {@code retry_after}). The message must never hold a token secret.
 *
 * @param error   the code, e.g. {@code not_found}
 * @param message what is wrong; the code itself when none is given
 * @param details further top-level fields; never {@code error} or {@code message}
 */
public record ApiError(String error, String message, Map<String, Object> details) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public ApiError {
        Objects.requireNonNull(error, "error");
        message = message == null ? error : message;
        details = details == null ? Map.of() : Map.copyOf(details);
        if (details.containsKey("error") || details.containsKey("message")) {
            throw new IllegalArgumentException("details cannot replace error or message");
        }
    }

    public ApiError(String error, String message) {
        this(error, message, Map.of());
    }

    /** The JSON object: {@code error}, {@code message}, then the details (no field for what is absent). */
    @JsonValue
    public Map<String, Object> fields() {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("error", error);
        fields.put("message", message);
        fields.putAll(details);
        return fields;
    }

    /** The body as JSON text, for code that writes a response itself (servlets, route filters). */
    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("an error detail is not serializable as JSON", e);
        }
    }

    /** {@link #toJson()} as UTF-8 bytes. */
    public byte[] toJsonBytes() {
        return toJson().getBytes(StandardCharsets.UTF_8);
    }
}
