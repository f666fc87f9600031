package dev.keyward.audit.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyward.events.EventData;
import dev.keyward.events.EventType;
import dev.keyward.events.KeywardEvent;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HashChainTest {

    private static KeywardEvent withAttributes(Map<String, Object> attributes) {
        return new KeywardEvent("evt-1", "/keyward/token-service", EventType.TOKEN_CREATED,
                Instant.parse("2026-01-02T03:04:05.123456789Z"), "tok_1",
                EventData.forOrg("acme").actor("u1").attributes(attributes).build());
    }

    @Test
    void canonicalContentSortsKeysAtEveryLevel() {
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("zeta", 1);
        a.put("alpha", Map.of("y", 2, "b", 3));
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("alpha", Map.of("b", 3, "y", 2));
        b.put("zeta", 1);

        String content = HashChain.canonicalContent(withAttributes(a));
        assertThat(content).isEqualTo(HashChain.canonicalContent(withAttributes(b)));
        assertThat(content).startsWith("{\"data\":{\"actor\":\"u1\",\"attributes\":{\"alpha\":{\"b\":3,\"y\":2},\"zeta\":1}");
        assertThat(content).contains("\"time\":\"2026-01-02T03:04:05.123456789Z\"").doesNotContain(" ");
    }

    @Test
    void linkDependsOnEveryInput() {
        byte[] base = HashChain.link(HashChain.GENESIS, "acme", 1, "{}");
        assertThat(base).hasSize(32).isEqualTo(HashChain.link(HashChain.GENESIS, "acme", 1, "{}"));
        assertThat(HashChain.link(base, "acme", 1, "{}")).isNotEqualTo(base);
        assertThat(HashChain.link(HashChain.GENESIS, "other", 1, "{}")).isNotEqualTo(base);
        assertThat(HashChain.link(HashChain.GENESIS, "acme", 2, "{}")).isNotEqualTo(base);
        assertThat(HashChain.link(HashChain.GENESIS, "acme", 1, "{ }")).isNotEqualTo(base);
    }
}
