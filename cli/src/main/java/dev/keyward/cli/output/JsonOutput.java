package dev.keyward.cli.output;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keyward.cli.CliException;
import dev.keyward.cli.ExitCode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import net.thisptr.jackson.jq.BuiltinFunctionLoader;
import net.thisptr.jackson.jq.JsonQuery;
import net.thisptr.jackson.jq.Scope;
import net.thisptr.jackson.jq.Versions;
import net.thisptr.jackson.jq.exception.JsonQueryException;

/**
 * Machine output, for every command in one place: the command's JSON document, cut to the fields of
 * {@code --json FIELDS} (from each element when it is a list), then filtered by {@code --jq EXPR}, as
 * {@code gh} does: a string result prints raw, any other as compact JSON, one per line.
 */
public final class JsonOutput {

    /** What {@code --json} takes as FIELDS: comma-separated snake_case names. */
    public static final Pattern FIELD_LIST = Pattern.compile("[a-z][a-z_]*(,[a-z][a-z_]*)*");

    private final List<String> fields;
    private final JsonQuery jq;

    private JsonOutput(List<String> fields, JsonQuery jq) {
        this.fields = fields;
        this.jq = jq;
    }

    /**
     * @param fields {@code null} or empty: every field
     * @param jq     {@code null}: no filter
     * @throws IllegalArgumentException a field list or jq expression that does not parse
     */
    public static JsonOutput of(String fields, String jq) {
        List<String> names = null;
        if (fields != null && !fields.isEmpty()) {
            if (!FIELD_LIST.matcher(fields).matches()) {
                throw new IllegalArgumentException("--json takes field names separated by commas (e.g. id,name,scopes), not '" + fields + "'");
            }
            names = List.of(fields.split(","));
        }
        return new JsonOutput(names, jq == null ? null : compile(jq));
    }

    private static JsonQuery compile(String expression) {
        try {
            return JsonQuery.compile(expression, Versions.JQ_1_6);
        } catch (JsonQueryException e) {
            throw new IllegalArgumentException("--jq: " + e.getMessage());
        }
    }

    /** Prints {@code document} as asked. */
    public void print(JsonNode document, ObjectMapper json, PrintWriter out) {
        JsonNode selected = fields == null ? document : select(document, json);
        try {
            if (jq == null) {
                out.println(json.writeValueAsString(selected));
            } else {
                for (JsonNode result : filter(selected, json)) {
                    out.println(result.isTextual() ? result.asText()
                            : json.writer().without(SerializationFeature.INDENT_OUTPUT).writeValueAsString(result));
                }
            }
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        out.flush();
    }

    private JsonNode select(JsonNode document, ObjectMapper json) {
        if (document.isObject()) {
            List<String> known = new ArrayList<>();
            document.fieldNames().forEachRemaining(known::add);
            check(known);
            return cut(document, json);
        }
        if (!document.isArray()) {
            return document;
        }
        List<String> known = new ArrayList<>();
        document.forEach(element -> element.fieldNames().forEachRemaining(known::add));
        if (!document.isEmpty()) {
            check(known);
        }
        ArrayNode cut = json.createArrayNode();
        document.forEach(element -> cut.add(element.isObject() ? cut(element, json) : element));
        return cut;
    }

    private ObjectNode cut(JsonNode object, ObjectMapper json) {
        ObjectNode cut = json.createObjectNode();
        for (String field : fields) {
            cut.set(field, object.has(field) ? object.get(field) : json.nullNode());
        }
        return cut;
    }

    private void check(List<String> known) {
        Set<String> valid = new TreeSet<>(known);
        for (String field : fields) {
            if (!valid.contains(field)) {
                throw CliException.usage("unknown JSON field '" + field + "'; this command's fields are: " + String.join(", ", valid));
            }
        }
    }

    private List<JsonNode> filter(JsonNode input, ObjectMapper json) {
        Scope root = Scope.newEmptyScope();
        BuiltinFunctionLoader.getInstance().loadFunctions(Versions.JQ_1_6, root);
        List<JsonNode> results = new ArrayList<>();
        try {
            jq.apply(Scope.newChildScope(root), input, results::add);
        } catch (JsonQueryException e) {
            throw new CliException(ExitCode.FAILED, "--jq: " + e.getMessage(), "the expression does not fit this command's JSON (see it with --json)");
        }
        return results;
    }
}
