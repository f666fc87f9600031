package dev.keyward.events;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * The one place that knows how an event looks on the wire: CloudEvents 1.0 structured-mode JSON
 * ({@code specversion, id, source, type, time, subject, datacontenttype, data}).
 */
public final class EventCodec {

    public static final String CONTENT_TYPE = "application/cloudevents+json";

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .registerModule(new SimpleModule().addSerializer(KeywardEvent.class, new EnvelopeSerializer()));
    private static final ObjectWriter WRITER = MAPPER.writerFor(KeywardEvent.class);

    private EventCodec() {
    }

    /** The event's CloudEvents JSON. */
    public static String toJson(KeywardEvent event) {
        try {
            return WRITER.writeValueAsString(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("event cannot be serialised", e);
        }
    }

    /** The same JSON as {@link #toJson}, UTF-8 encoded, without the detour through a String. */
    public static byte[] toJsonBytes(KeywardEvent event) {
        try {
            return WRITER.writeValueAsBytes(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("event cannot be serialised", e);
        }
    }

    /**
     * Parses one event.
     *
     * @throws MalformedEventException when the JSON is not a Keyward CloudEvent
     */
    /**
     * The event's type read from the top-level {@code type} field alone (streaming, no tree), for a
     * consumer that handles a few types and skips the rest without decoding them; empty when there is
     * none or it is not a known type. Decode with {@link #fromJson} what it keeps.
     */
    public static Optional<EventType> typeOf(String json) {
        try (JsonParser parser = MAPPER.getFactory().createParser(json)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return Optional.empty();
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                if ("type".equals(field)) {
                    return value == JsonToken.VALUE_STRING ? EventType.fromWire(parser.getText())
                            : Optional.empty();
                }
                parser.skipChildren();
            }
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

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

    /**
     * Writes the envelope field by field and {@code data} with the mapper's own serializer for
     * {@link EventData}, straight into the output (no tree in between: {@code token:used} is encoded
     * once per authorized request).
     */
    private static final class EnvelopeSerializer extends StdSerializer<KeywardEvent> {
        EnvelopeSerializer() {
            super(KeywardEvent.class);
        }

        @Override
        public void serialize(KeywardEvent event, JsonGenerator g, SerializerProvider provider) throws IOException {
            g.writeStartObject();
            g.writeStringField("specversion", KeywardEvent.SPEC_VERSION);
            g.writeStringField("id", event.id());
            g.writeStringField("source", event.source());
            g.writeStringField("type", event.type().wireName());
            g.writeStringField("time", event.time().toString());
            if (event.subject() != null) {
                g.writeStringField("subject", event.subject());
            }
            g.writeStringField("datacontenttype", "application/json");
            provider.defaultSerializeField("data", event.data(), g);
            g.writeEndObject();
        }
    }

    /** An event that cannot be read. */
    public static final class MalformedEventException extends RuntimeException {
        public MalformedEventException(String message) {
            super(message);
        }
    }
}
