package dev.keyward.contract;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.type.LogicalType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.List;
import java.util.regex.Pattern;

/**
 * How every service reads a JSON request body, and what it answers when a body does not fit: the
 * one place for both, so no two services (and no two parsers) read one request differently.
 * <ul>
 *   <li>an unknown field is refused (422 {@code unknown_field}): a typo such as {@code expire_in}
 *       must never yield a default;</li>
 *   <li>a duplicate key, a value of the wrong JSON type (no coercion: {@code "3600"} is not a
 *       number, {@code true} is not a string), malformed JSON or a second document after the first
 *       are 400 {@code malformed_json}.</li>
 * </ul>
 * Messages name the field, never a value: a parser's own message can quote the body, which may hold
 * a key. Plain Jackson, so each service applies it from its own {@code ObjectMapperCustomizer}.
 */
public final class StrictJsonBodies {

    /** Path segments that are safe to repeat in a message: field names, scope resources, indexes. */
    private static final Pattern SAFE_SEGMENT = Pattern.compile("[A-Za-z0-9_.:*/\\[\\]-]{1,100}");

    private StrictJsonBodies() {
    }

    /** A refused body: the status and the {@code {error, message}} of the answer. */
    public record Problem(int status, String error, String message) {
    }

    /** Makes {@code mapper} read request bodies strictly (see the class comment). */
    public static ObjectMapper configure(ObjectMapper mapper) {
        mapper.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        mapper.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        mapper.disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);
        mapper.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        // "3600" is not a number and "true" not a boolean ...
        mapper.configure(MapperFeature.ALLOW_COERCION_OF_SCALARS, false);
        // ... and neither a number nor a boolean is a string (Jackson coerces those regardless of the feature).
        mapper.coercionConfigFor(LogicalType.Textual)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        return mapper;
    }

    /** What to answer for a body that Jackson refused. */
    public static Problem problemOf(JsonProcessingException e) {
        if (e instanceof UnrecognizedPropertyException unknown) {
            String field = path(unknown);
            return new Problem(422, "unknown_field", "unknown field " + field + "; see the API reference for the fields of this request");
        }
        JsonParseException parse = parseFailure(e);
        if (parse != null) {
            if (parse.getOriginalMessage() != null && parse.getOriginalMessage().startsWith("Duplicate field")) {
                return malformed("duplicate field " + duplicatePath(parse) + ": each field may appear once");
            }
            return notJson(parse);
        }
        if (e instanceof JsonMappingException mapping) {
            if (mapping.getOriginalMessage() != null && mapping.getOriginalMessage().startsWith("Trailing token")) {
                return malformed("the request body must be one JSON document, with nothing after it");
            }
            if (mapping.getPath().isEmpty()) {
                return malformed("the request body must be " + expected(mapping));
            }
            if (mapping.getCause() instanceof InputCoercionException) {
                return malformed(path(mapping) + " is out of range");
            }
            return malformed(path(mapping) + " must be " + expected(mapping));
        }
        return notJson(e);
    }

    /** The syntax failure behind {@code e}: itself, or what a map or bean deserializer wrapped. */
    private static JsonParseException parseFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof JsonParseException parse) {
                return parse;
            }
        }
        return null;
    }

    private static Problem notJson(JsonProcessingException e) {
        String at = e.getLocation() == null ? ""
                : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
        return malformed("the request body is not valid JSON" + at);
    }

    private static Problem malformed(String message) {
        return new Problem(400, "malformed_json", message);
    }

    private static String expected(JsonMappingException e) {
        Class<?> type = e instanceof MismatchedInputException m ? m.getTargetType() : null;
        if (type == null) {
            return "of the expected shape";
        }
        if (type == Long.class || type == Integer.class || type == Short.class || type == Byte.class
                || type == long.class || type == int.class || type == short.class || type == byte.class
                || type == BigInteger.class) {
            return "a whole number";
        }
        if (Number.class.isAssignableFrom(type) || type == double.class || type == float.class || type == BigDecimal.class) {
            return "a number";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (CharSequence.class.isAssignableFrom(type) || type.isEnum() || type == char.class || type == Character.class) {
            return "a string";
        }
        if (Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "an array";
        }
        return "an object";
    }

    /** The field a mapping failure is about, as {@code 'scopes.repos:app.[0]'}. */
    private static String path(JsonMappingException e) {
        List<String> segments = e.getPath().stream()
                .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
                .toList();
        return quoted(segments);
    }

    /** The duplicated key and where it sits: the parser's context has just been given its name. */
    private static String duplicatePath(JsonParseException e) {
        Deque<String> segments = new ArrayDeque<>();
        JsonStreamContext context = e.getProcessor() == null ? null : e.getProcessor().getParsingContext();
        for (; context != null && !context.inRoot(); context = context.getParent()) {
            if (context.inObject()) {
                segments.addFirst(context.getCurrentName() == null ? "?" : context.getCurrentName());
            } else if (context.inArray()) {
                segments.addFirst("[" + context.getCurrentIndex() + "]");
            }
        }
        return segments.isEmpty() ? "(unnamed)" : quoted(List.copyOf(segments));
    }

    private static String quoted(List<String> segments) {
        StringBuilder out = new StringBuilder("'");
        for (int i = 0; i < segments.size(); i++) {
            String s = segments.get(i);
            // A map key is the client's text: never repeat what could be a key or other junk.
            boolean safe = SAFE_SEGMENT.matcher(s).matches() && !ApiKeyFormat.looksLikeApiKey(s) && !s.startsWith("eyJ");
            out.append(i == 0 || s.startsWith("[") ? "" : ".").append(safe ? s : "…");
        }
        return out.append('\'').toString();
    }
}
