package dev.keyward.verification.quarkus;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyward.events.EventCodec;
import dev.keyward.events.EventData;
import dev.keyward.events.EventType;
import dev.keyward.events.KeywardEvent;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RevocationListenerTest {

    private static byte[] wire(EventType type) {
        EventData data = EventData.forOrg("acme").actor("tok_1").keyPrefix("kw_prod_r_ab").outcome("success").build();
        return EventCodec.toJson(KeywardEvent.of("/keyward/test", type, Instant.now(), "tok_1", data))
                .getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void onlyRevocationsAndRotationsAreParsed() {
        assertThat(RevocationListener.mayBeWanted(wire(EventType.TOKEN_REVOKED))).isTrue();
        assertThat(RevocationListener.mayBeWanted(wire(EventType.TOKEN_ROTATED))).isTrue();
        for (EventType other : EventType.values()) {
            if (other != EventType.TOKEN_REVOKED && other != EventType.TOKEN_ROTATED) {
                assertThat(RevocationListener.mayBeWanted(wire(other))).as(other.wireName()).isFalse();
            }
        }
        assertThat(RevocationListener.mayBeWanted(new byte[0])).isFalse();
    }
}
