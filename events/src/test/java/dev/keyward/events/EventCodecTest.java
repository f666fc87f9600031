package dev.keyward.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EventCodecTest {

    @Test
    void roundTripsACloudEvent() {
        KeywardEvent event = KeywardEvent.of("/keyward/token-service", EventType.TOKEN_CREATED,
                Instant.parse("2026-01-02T03:04:05Z"), "tok_1",
                EventData.forOrg("acme").actor("usr_1").keyPrefix("kw_prod_o_ab").outcome("success")
                        .attributes(Map.of("kind", "org")).build());

        String json = EventCodec.toJson(event);

        assertThat(json).contains("\"specversion\":\"1.0\"", "\"type\":\"token:created\"",
                "\"key_prefix\":\"kw_prod_o_ab\"", "\"subject\":\"tok_1\"");
        assertThat(json).doesNotContain("\"repo\"");
        assertThat(EventCodec.fromJson(json)).isEqualTo(event);
    }

    @Test
    void theTypeIsReadWithoutDecodingTheEvent() {
        KeywardEvent event = KeywardEvent.of("/keyward/token-service", EventType.TOKEN_REVOKED, Instant.parse("2026-01-02T03:04:05Z"),
                "tok_1", EventData.forOrg("acme").attributes(Map.of("type", "not this one", "nested", Map.of("type", "x"))).build());
        assertThat(EventCodec.typeOf(EventCodec.toJson(event))).contains(EventType.TOKEN_REVOKED);
        // The type is the envelope's, wherever it stands among the fields, never one nested in data.
        assertThat(EventCodec.typeOf("{\"data\":{\"type\":\"org:deleted\"},\"id\":\"1\",\"type\":\"token:created\"}"))
                .contains(EventType.TOKEN_CREATED);
        assertThat(EventCodec.typeOf("{\"data\":{\"type\":\"org:deleted\"}}")).isEmpty();
        assertThat(EventCodec.typeOf("{\"type\":\"token:unheard-of\"}")).isEmpty();
        assertThat(EventCodec.typeOf("{\"type\":42}")).isEmpty();
        assertThat(EventCodec.typeOf("[1,2]")).isEmpty();
        assertThat(EventCodec.typeOf("not json")).isEmpty();
    }

    /**
     * The exact text the earlier, tree-based codec wrote for these events (consumers parse it):
     * field order, left-out nulls, escaping, dates as ISO text, numbers and nested attributes.
     */
    @Test
    void writesTheSameTextAsBefore() {
        Map<String, Object> attributes = new LinkedHashMap<>();
        attributes.put("subject", "user-1");
        attributes.put("form", "api_key");
        attributes.put("scopes", Map.of("repos:team/*", List.of("git:read", "git:write")));
        attributes.put("expires_at", Instant.parse("2026-04-01T00:00:00Z"));
        attributes.put("count", 3L);
        attributes.put("ratio", 0.5);
        attributes.put("flag", true);
        KeywardEvent used = new KeywardEvent("0b6c8e8e-1f6a-4c1e-9d3e-6a1f2b3c4d5e", "/keyward/repo-service",
                EventType.TOKEN_USED, Instant.parse("2026-03-01T10:00:00.123456789Z"), "tok_9",
                new EventData("acme", "tok_9", "kw_prod_r_ab", "team/app", "git:read", "10.0.0.1", "success", null, null, null, null,
                        attributes));
        KeywardEvent failed = new KeywardEvent("id-2", "/keyward/repo-service", EventType.AUTH_FAILED,
                Instant.parse("2026-03-01T10:00:00Z"), null,
                EventData.forOrg("unknown").repo("caf\u00e9/\"quoted\"\n</script>\u2028").clientIp("::1")
                        .outcome("failure").reason("unknown").build());

        assertThat(EventCodec.toJson(used)).isEqualTo("{\"specversion\":\"1.0\",\"id\":\"0b6c8e8e-1f6a-4c1e-9d3e-6a1f2b3c4d5e\","
                + "\"source\":\"/keyward/repo-service\",\"type\":\"token:used\",\"time\":\"2026-03-01T10:00:00.123456789Z\","
                + "\"subject\":\"tok_9\",\"datacontenttype\":\"application/json\",\"data\":{\"org\":\"acme\",\"actor\":\"tok_9\","
                + "\"key_prefix\":\"kw_prod_r_ab\",\"repo\":\"team/app\",\"operation\":\"git:read\",\"client_ip\":\"10.0.0.1\","
                + "\"outcome\":\"success\",\"attributes\":{\"subject\":\"user-1\",\"form\":\"api_key\","
                + "\"scopes\":{\"repos:team/*\":[\"git:read\",\"git:write\"]},\"expires_at\":\"2026-04-01T00:00:00Z\","
                + "\"count\":3,\"ratio\":0.5,\"flag\":true}}}");
        assertThat(EventCodec.toJson(failed)).isEqualTo("{\"specversion\":\"1.0\",\"id\":\"id-2\",\"source\":\"/keyward/repo-service\","
                + "\"type\":\"auth:failed\",\"time\":\"2026-03-01T10:00:00Z\",\"datacontenttype\":\"application/json\","
                + "\"data\":{\"org\":\"unknown\",\"repo\":\"caf\u00e9/\\\"quoted\\\"\\n</script>\u2028\",\"client_ip\":\"::1\","
                + "\"outcome\":\"failure\",\"reason\":\"unknown\"}}");
        for (KeywardEvent event : List.of(used, failed)) {
            assertThat(EventCodec.toJsonBytes(event)).isEqualTo(EventCodec.toJson(event).getBytes(StandardCharsets.UTF_8));
        }
        // (used's attributes come back as their JSON types: 3 as an Integer, the Instant as text)
        assertThat(EventCodec.fromJson(new String(EventCodec.toJsonBytes(failed), StandardCharsets.UTF_8))).isEqualTo(failed);
    }

    /** A folded use carries count, first_at and last_at; an event without them stands for one use at its time. */
    @Test
    void foldedUsesCarryTheirCountAndOldEventsReadAsOneUse() {
        Instant first = Instant.parse("2026-03-01T10:00:00.100Z");
        Instant last = Instant.parse("2026-03-01T10:00:00.900Z");
        KeywardEvent folded = KeywardEvent.of("/keyward/repo-service", EventType.TOKEN_USED, first, "tok_9",
                EventData.forOrg("acme").actor("tok_9").operation("git:read").clientIp("10.0.0.1").outcome("success")
                        .folded(42, first, last).build());

        String json = EventCodec.toJson(folded);

        assertThat(json).contains("\"outcome\":\"success\",\"count\":42,\"first_at\":\"2026-03-01T10:00:00.100Z\","
                + "\"last_at\":\"2026-03-01T10:00:00.900Z\"}");
        KeywardEvent read = EventCodec.fromJson(json);
        assertThat(read).isEqualTo(folded);
        assertThat(read.uses()).isEqualTo(42);
        assertThat(read.firstUse()).isEqualTo(first);
        assertThat(read.lastUse()).isEqualTo(last);

        KeywardEvent old = EventCodec.fromJson("{\"specversion\":\"1.0\",\"id\":\"id-1\",\"source\":\"/keyward/repo-service\","
                + "\"type\":\"token:used\",\"time\":\"2026-03-01T10:00:00Z\",\"subject\":\"tok_9\",\"data\":{\"org\":\"acme\"}}");
        assertThat(old.uses()).isEqualTo(1);
        assertThat(old.firstUse()).isEqualTo(old.time()).isEqualTo(old.lastUse());
        assertThat(EventCodec.toJson(old)).doesNotContain("count", "first_at", "last_at");
    }

    @Test
    void refusesUnknownTypesAndGarbage() {
        assertThatThrownBy(() -> EventCodec.fromJson("{\"specversion\":\"1.0\",\"type\":\"x\"}"))
                .isInstanceOf(EventCodec.MalformedEventException.class);
        assertThatThrownBy(() -> EventCodec.fromJson("not json"))
                .isInstanceOf(EventCodec.MalformedEventException.class);
        assertThatThrownBy(() -> EventCodec.fromJson("[]"))
                .isInstanceOf(EventCodec.MalformedEventException.class);
    }
}
