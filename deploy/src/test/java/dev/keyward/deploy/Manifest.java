package dev.keyward.deploy;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/** One Kubernetes object of a rendered manifest set, kept as the YAML tree it was written as. */
record Manifest(String apiVersion, String kind, String name, ObjectNode body) {

    private static final YAMLMapper YAML = YAMLMapper.builder(YAMLFactory.builder().build())
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();

    /** Every non-empty document of a multi-document YAML stream. */
    static List<Manifest> parseAll(String yaml) {
        List<Manifest> manifests = new ArrayList<>();
        try (var documents = YAML.readerFor(JsonNode.class).<JsonNode>readValues(yaml)) {
            while (documents.hasNextValue()) {
                JsonNode document = documents.nextValue();
                if (document == null || document.isNull() || document.isMissingNode()) {
                    continue;
                }
                if (!(document instanceof ObjectNode object)) {
                    throw new IllegalArgumentException("a YAML document is not an object: " + document);
                }
                manifests.add(of(object));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return manifests;
    }

    static Manifest of(ObjectNode body) {
        return new Manifest(body.path("apiVersion").asText(""), body.path("kind").asText(""),
                body.path("metadata").path("name").asText(""), body);
    }

    /** {@code Kind/name}, how messages name an object. */
    String ref() {
        return kind + "/" + name;
    }

    boolean is(String kindName) {
        return kind.equals(kindName);
    }

    JsonNode at(String jsonPointer) {
        return body.at(jsonPointer);
    }
}
