package dev.keyward.verification.quarkus;

import dev.keyward.contract.OrgRules;
import dev.keyward.events.EventCodec;
import dev.keyward.events.KeywardEvent;
import dev.keyward.verification.TokenVerifier;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Evicts cached verifications on {@code token:revoked} and {@code token:rotated}, and applies org
 * state changes ({@code org:suspended}, {@code org:resumed}, {@code org:deleted}) and
 * {@code policy:changed} to the verifier's {@link dev.keyward.verification.OrgRulesCache}.
 * <p>
 * Every replica must see every such event, so the channel ({@code keyward-verifier-revocations}, set up in
 * this module's {@code META-INF/microprofile-config.properties}) joins a consumer group of its own
 * per process, from the topic's end, and commits nothing; events from before its start are covered
 * by the cache TTL. It reads {@code keyward.events} only: uses travel on {@code keyward.usage}.
 * A service turns it off with {@code keyward.verification.revocation-listener.enabled=false}.
 */
@ApplicationScoped
public class RevocationListener {

    private final TokenVerifier verifier;

    public RevocationListener(TokenVerifier verifier) {
        this.verifier = verifier;
    }

    /** Cheap (a cache eviction or an asynchronous refresh), so it runs on the connector's thread. */
    @Incoming("keyward-verifier-revocations")
    public void onEvent(String json) {
        if (json != null) {
            handle(json);
        }
    }

    void handle(String json) {
        try {
            KeywardEvent event = EventCodec.fromJson(json);
            String org = event.data() == null ? null : event.data().org();
            switch (event.type()) {
                case TOKEN_REVOKED, TOKEN_ROTATED -> {
                    if (event.subject() != null) {
                        verifier.evictToken(event.subject());
                    }
                }
                case ORG_SUSPENDED -> orgState(org, OrgRules.SUSPENDED);
                case ORG_DELETED -> orgState(org, OrgRules.DELETED);
                case ORG_RESUMED -> orgState(org, OrgRules.ACTIVE);
                case POLICY_CHANGED -> verifier.orgs().refresh();
                default -> { }
            }
        } catch (EventCodec.MalformedEventException e) {
            // Not ours to judge; the audit service reports malformed events.
        }
    }

    private void orgState(String org, String state) {
        if (org != null) {
            verifier.orgs().stateChanged(org, state);
        }
    }
}
