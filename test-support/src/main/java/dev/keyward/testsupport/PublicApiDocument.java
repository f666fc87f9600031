package dev.keyward.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * What every service's OpenAPI document ({@code /q/openapi?format=json}) must be: the public API
 * only (no {@code /internal} service-to-service call, no {@code /ui} page), no schema of a
 * framework's or the JDK's internal type, and every operation under a tag chosen for it.
 */
public final class PublicApiDocument {

    private static final Pattern HIDDEN_PATH = Pattern.compile("^/(internal|ui)(/.*)?$");
    /** Names the generator gives types that are not ours: JDK, Jackson, JAX-RS, Qute, Vert.x. */
    private static final Pattern INTERNAL_TYPE = Pattern.compile(
            "Atomic.*|Json(Node|NodeType)|Multivalued.*|.*Template.*|Charset|Locale|Variant|Engine.*|.*Impl|Object"
                    + "|Optional.*|CompletionStage.*|Uni.*|Multi.*|Buffer|Response|MediaType|.*Resolver|.*Helper.*");

    private PublicApiDocument() {
    }

    /** Why the document is not a public API document; empty when it is. */
    public static List<String> problems(String json) {
        JsonNode document;
        try {
            document = new ObjectMapper().readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> problems = new ArrayList<>();
        if (!document.path("paths").isObject() || document.path("paths").isEmpty()) {
            problems.add("the document has no paths");
        }
        document.path("paths").properties().forEach(path -> {
            if (HIDDEN_PATH.matcher(path.getKey()).matches()) {
                problems.add("path " + path.getKey() + " is not public API");
            }
            path.getValue().properties().forEach(operation -> {
                if (!operation.getValue().has("responses")) {
                    return; // a path-level field (parameters, summary), not an operation
                }
                List<String> tags = new ArrayList<>();
                operation.getValue().path("tags").forEach(t -> tags.add(t.asText()));
                if (tags.isEmpty() || tags.stream().anyMatch(t -> t.endsWith(" Resource"))) {
                    problems.add(operation.getKey().toUpperCase() + " " + path.getKey()
                            + " has no tag of its own (a class-level @Tag): " + tags);
                }
            });
        });
        document.path("components").path("schemas").fieldNames().forEachRemaining(name -> {
            if (INTERNAL_TYPE.matcher(name).matches()) {
                problems.add("schema " + name + " is an internal type");
            }
        });
        return problems;
    }
}
