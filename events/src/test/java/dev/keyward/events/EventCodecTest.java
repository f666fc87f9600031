package dev.keyward.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
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
    void refusesUnknownTypesAndGarbage() {
        assertThatThrownBy(() -> EventCodec.fromJson("{\"specversion\":\"1.0\",\"type\":\"x\"}"))
                .isInstanceOf(EventCodec.MalformedEventException.class);
        assertThatThrownBy(() -> EventCodec.fromJson("not json"))
                .isInstanceOf(EventCodec.MalformedEventException.class);
        assertThatThrownBy(() -> EventCodec.fromJson("[]"))
                .isInstanceOf(EventCodec.MalformedEventException.class);
    }
}
