package dev.keyward.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * The one place that knows how an event looks on the wire: CloudEvents 1.0 structured-mode JSON
 * ({@code specversion, id, source, type, time, subject, datacontenttype, data}).
 */
public final class EventCodec {

    public static final String CONTENT_TYPE = "application/cloudevents+json";

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private EventCodec() {
    }

    public static String toJson(KeywardEvent event) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("specversion", KeywardEvent.SPEC_VERSION);
        node.put("id", event.id());
        node.put("source", event.source());
        node.put("type", event.type().wireName());
        node.put("time", event.time().toString());
        if (event.subject() != null) {
            node.put("subject", event.subject());
        }
        node.put("datacontenttype", "application/json");
        node.set("data", MAPPER.valueToTree(event.data()));
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("event cannot be serialised", e);
        }
    }

    /**
     * Parses one event.
     *
     * @throws MalformedEventException when the JSON is not a Keyward CloudEvent
     */
    public static KeywardEvent fromJson(String json) {
        try {
            JsonNode node = MAPPER.readTree(json);
            if (node == null || !node.isObject()) {
                throw new MalformedEventException("not a JSON object");
            }
            if (!KeywardEvent.SPEC_VERSION.equals(text(node, "specversion"))) {
                throw new MalformedEventException("unsupported specversion");
            }
            String typeName = text(node, "type");
            EventType type = EventType.fromWire(typeName)
                    .orElseThrow(() -> new MalformedEventException("unknown type " + typeName));
            JsonNode dataNode = node.get("data");
            if (dataNode == null || !dataNode.isObject()) {
                throw new MalformedEventException("missing data");
            }
            EventData data = MAPPER.treeToValue(dataNode, EventData.class);
            String id = text(node, "id");
            String source = text(node, "source");
            String time = text(node, "time");
            if (id == null || source == null || time == null || data.org() == null) {
                throw new MalformedEventException("missing id, source, time or data.org");
            }
            return new KeywardEvent(id, source, type, Instant.parse(time), text(node, "subject"), data);
        } catch (JsonProcessingException | DateTimeParseException e) {
            throw new MalformedEventException("unreadable event: " + e.getClass().getSimpleName());
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    /** An event that cannot be read. */
    public static final class MalformedEventException extends RuntimeException {
        public MalformedEventException(String message) {
            super(message);
        }
    }
}
