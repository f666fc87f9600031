package dev.keyward.audit.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyward.events.EventData;
import dev.keyward.events.EventType;
import dev.keyward.events.KeywardEvent;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ChainAppenderTest {

    private static KeywardEvent event(String org) {
        return KeywardEvent.of("/keyward/test", EventType.TOKEN_USED, Instant.now(), "tok", EventData.forOrg(org).build());
    }

    private static List<CanonicalEvent> canonical(KeywardEvent... events) {
        return java.util.Arrays.stream(events).map(CanonicalEvent::of).toList();
    }

    @Test
    void givesConsecutiveSeqsPerOrgAndSkipsDuplicates() {
        KeywardEvent a1 = event("a");
        KeywardEvent b1 = event("b");
        KeywardEvent a2 = event("a");
        KeywardEvent stored = event("a");
        ChainHead headA = new ChainHead("a", 7, HashChain.link(HashChain.GENESIS, "a", 7, "{}"));

        ChainAppender.Plan plan = ChainAppender.plan(canonical(a1, b1, a1, stored, a2, b1), Set.of(stored.id()),
                Map.of("a", headA, "b", ChainHead.genesis("b")));

        assertThat(plan.rows()).extracting(StoredEvent::eventId).containsExactly(a1.id(), b1.id(), a2.id());
        assertThat(plan.rows()).extracting(StoredEvent::seq).containsExactly(8L, 1L, 9L);
        assertThat(plan.rows().get(0).prevHash()).isEqualTo(headA.lastHash());
        assertThat(plan.rows().get(2).prevHash()).isEqualTo(plan.rows().get(0).hash());
        assertThat(plan.rows().get(1).prevHash()).isEqualTo(HashChain.GENESIS);
        assertThat(plan.heads()).extracting(ChainHead::org, ChainHead::lastSeq)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("a", 9L), org.assertj.core.groups.Tuple.tuple("b", 1L));
    }

    @Test
    void aBatchOfOnlyDuplicatesChangesNothing() {
        KeywardEvent a = event("a");
        ChainAppender.Plan plan = ChainAppender.plan(canonical(a, a), Set.of(a.id()), Map.of("a", ChainHead.genesis("a")));
        assertThat(plan.rows()).isEmpty();
        assertThat(plan.heads()).isEmpty();
    }
}
