package dev.keyward.audit.service;

import dev.keyward.events.KeywardEvent;

/** An event with its canonical content, computed before any lock is taken (it does not depend on the chain). */
public record CanonicalEvent(KeywardEvent event, String content) {

    public static CanonicalEvent of(KeywardEvent event) {
        return new CanonicalEvent(event, HashChain.canonicalContent(event));
    }

    public String id() {
        return event.id();
    }

    public String org() {
        return event.data().org();
    }
}
