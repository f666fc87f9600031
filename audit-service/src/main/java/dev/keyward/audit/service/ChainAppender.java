package dev.keyward.audit.service;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns a batch of events into new chain links: drops events already stored (or repeated within
 * the batch) and gives the rest consecutive {@code seq}s per org in arrival order.
 */
public final class ChainAppender {

    private ChainAppender() {
    }

    /** The rows to insert and the org heads after them. */
    public record Plan(List<StoredEvent> rows, List<ChainHead> heads) {
    }

    /**
     * @param events        the batch, in arrival order
     * @param alreadyStored ids of batch events that are stored already
     * @param heads         the current (locked) head of every org in the batch
     */
    public static Plan plan(List<CanonicalEvent> events, Set<String> alreadyStored, Map<String, ChainHead> heads) {
        Map<String, ChainHead> current = new LinkedHashMap<>(heads);
        Set<String> seen = new HashSet<>(alreadyStored);
        List<StoredEvent> rows = new ArrayList<>();
        for (CanonicalEvent event : events) {
            if (!seen.add(event.id())) {
                continue;
            }
            ChainHead head = current.get(event.org());
            if (head == null) {
                throw new IllegalArgumentException("no chain head locked for an org of the batch");
            }
            StoredEvent row = StoredEvent.link(head, event);
            rows.add(row);
            current.put(head.org(), head.advance(row));
        }
        List<ChainHead> changed = current.values().stream()
                .filter(h -> h.lastSeq() != heads.get(h.org()).lastSeq())
                .toList();
        return new Plan(rows, changed);
    }
}
