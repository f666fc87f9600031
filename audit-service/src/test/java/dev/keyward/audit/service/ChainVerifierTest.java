package dev.keyward.audit.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyward.events.EventData;
import dev.keyward.events.EventType;
import dev.keyward.events.KeywardEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ChainVerifierTest {

    private static final String ORG = "acme";

    private static List<StoredEvent> chain(int length) {
        List<KeywardEvent> events = new ArrayList<>();
        for (int i = 0; i < length; i++) {
            events.add(KeywardEvent.of("/keyward/test", EventType.TOKEN_USED, Instant.parse("2026-01-01T00:00:00Z").plusSeconds(i),
                    "tok_" + i, EventData.forOrg(ORG).actor("u").repo("r").build()));
        }
        return ChainAppender.plan(events.stream().map(CanonicalEvent::of).toList(), Set.of(), Map.of(ORG, ChainHead.genesis(ORG))).rows();
    }

    private static ChainVerifier.Row row(StoredEvent e) {
        return row(e, e.content(), e.actor());
    }

    private static ChainVerifier.Row row(StoredEvent e, String content, String actor) {
        return new ChainVerifier.Row(e.seq(), e.eventId(), e.type(), e.time(), e.subject(), actor, e.keyPrefix(),
                e.repo(), e.clientIp(), content, e.prevHash(), e.hash());
    }

    private static Optional<ChainVerifier.Break> walk(ChainVerifier verifier, List<ChainVerifier.Row> rows, StoredEvent head) {
        for (ChainVerifier.Row r : rows) {
            Optional<ChainVerifier.Break> broken = verifier.accept(r);
            if (broken.isPresent()) {
                return broken;
            }
        }
        return verifier.finish(head.seq(), head.hash());
    }

    @Test
    void anIntactChainHolds() {
        List<StoredEvent> chain = chain(5);
        ChainVerifier verifier = new ChainVerifier(ORG, 0, HashChain.GENESIS);
        assertThat(walk(verifier, chain.stream().map(ChainVerifierTest::row).toList(), chain.get(4))).isEmpty();
        assertThat(verifier.checked()).isEqualTo(5);
    }

    @Test
    void alteredContentBreaksItsLink() {
        List<StoredEvent> chain = chain(5);
        List<ChainVerifier.Row> rows = new ArrayList<>(chain.stream().map(ChainVerifierTest::row).toList());
        rows.set(2, row(chain.get(2), chain.get(2).content().replace("\"u\"", "\"v\""), "u"));
        assertThat(walk(new ChainVerifier(ORG, 0, HashChain.GENESIS), rows, chain.get(4)))
                .contains(new ChainVerifier.Break(3, chain.get(2).eventId(), ChainVerifier.HASH_MISMATCH));
    }

    @Test
    void aColumnThatDisagreesWithTheContentIsReported() {
        List<StoredEvent> chain = chain(3);
        List<ChainVerifier.Row> rows = new ArrayList<>(chain.stream().map(ChainVerifierTest::row).toList());
        rows.set(1, row(chain.get(1), chain.get(1).content(), "someone-else"));
        assertThat(walk(new ChainVerifier(ORG, 0, HashChain.GENESIS), rows, chain.get(2)))
                .contains(new ChainVerifier.Break(2, chain.get(1).eventId(), ChainVerifier.COLUMNS_MISMATCH));
    }

    @Test
    void removedRowsAreReportedWhereverTheyWere() {
        List<StoredEvent> chain = chain(5);
        List<ChainVerifier.Row> rows = new ArrayList<>(chain.stream().map(ChainVerifierTest::row).toList());
        rows.remove(1);
        assertThat(walk(new ChainVerifier(ORG, 0, HashChain.GENESIS), rows, chain.get(4)))
                .contains(new ChainVerifier.Break(2, null, ChainVerifier.ROW_MISSING));

        List<ChainVerifier.Row> withoutTail = chain.subList(0, 4).stream().map(ChainVerifierTest::row).toList();
        assertThat(walk(new ChainVerifier(ORG, 0, HashChain.GENESIS), withoutTail, chain.get(4)))
                .contains(new ChainVerifier.Break(5, null, ChainVerifier.ROW_MISSING));
    }

    @Test
    void verificationStartsAtTheRetentionAnchor() {
        List<StoredEvent> chain = chain(5);
        StoredEvent anchor = chain.get(1);
        List<ChainVerifier.Row> rest = chain.subList(2, 5).stream().map(ChainVerifierTest::row).toList();
        ChainVerifier verifier = new ChainVerifier(ORG, anchor.seq(), anchor.hash());
        assertThat(walk(verifier, rest, chain.get(4))).isEmpty();
        assertThat(verifier.checked()).isEqualTo(3);

        // A forged anchor does not fit the first remaining row.
        assertThat(walk(new ChainVerifier(ORG, anchor.seq(), HashChain.GENESIS), rest, chain.get(4)))
                .contains(new ChainVerifier.Break(3, chain.get(2).eventId(), ChainVerifier.PREV_HASH_MISMATCH));
    }
}
