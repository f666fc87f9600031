package dev.keyward.verification.quarkus;

import dev.keyward.contract.ExchangedToken;
import dev.keyward.contract.OrgRules;
import dev.keyward.events.EventCodec;
import dev.keyward.events.EventType;
import dev.keyward.events.KeywardEvent;
import dev.keyward.verification.TokenVerifier;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Evicts cached verifications on {@code token:revoked} and {@code token:rotated}, and applies org
 * state changes ({@code org:suspended}, {@code org:resumed}, {@code org:deleted}) and
 * {@code policy:changed} to the verifier's {@link dev.keyward.verification.OrgRulesCache}.
 * Exchanged tokens are verified offline, so their revocation goes into the org's rules at once:
 * {@code token:revoked} of an {@code xtok_…} adds its {@code jti}, and a {@code policy:changed} that
 * deletes a trust policy ({@code what: trust_policy}, a change {@code tp:<id>} with no {@code after})
 * adds that policy.
 * <p>
 * Every replica must see every such event, so the channel ({@code keyward-verifier-revocations}, set up in
 * this module's {@code META-INF/microprofile-config.properties}) joins a consumer group of its own
 * per process, from the topic's end, and commits nothing; events from before its start are covered
 * by the cache TTL. It reads {@code keyward.events} only: uses travel on {@code keyward.usage}.
 * A service turns it off with {@code keyward.verification.revocation-listener.enabled=false}.
 */
@ApplicationScoped
public class RevocationListener {

    /** {@code data.attributes.what} of a trust policy's {@code policy:changed}, and the prefix of its change's key. */
    private static final String TRUST_POLICY = "trust_policy";
    private static final String TRUST_POLICY_CHANGE = "tp:";

    private final TokenVerifier verifier;

    public RevocationListener(TokenVerifier verifier) {
        this.verifier = verifier;
    }

    /** The types this listener acts on; the others are skipped undecoded. */
    private static final Set<EventType> HANDLED = EnumSet.of(EventType.TOKEN_REVOKED, EventType.TOKEN_ROTATED,
            EventType.ORG_SUSPENDED, EventType.ORG_DELETED, EventType.ORG_RESUMED, EventType.POLICY_CHANGED);

    /** Cheap (a cache eviction or an asynchronous refresh), so it runs on the connector's thread. */
    @Incoming("keyward-verifier-revocations")
    public void onEvent(String json) {
        if (json != null) {
            handle(json);
        }
    }

    void handle(String json) {
        // Most events (creations above all) change nothing here: their type alone says so, read
        // without decoding them. One without a known type goes on, to be refused (and logged) below.
        if (EventCodec.typeOf(json).filter(type -> !HANDLED.contains(type)).isPresent()) {
            return;
        }
        try {
            KeywardEvent event = EventCodec.fromJson(json);
            String org = event.data() == null ? null : event.data().org();
            switch (event.type()) {
                case TOKEN_REVOKED, TOKEN_ROTATED -> {
                    String subject = event.subject();
                    if (subject != null) {
                        if (event.type() == EventType.TOKEN_REVOKED && org != null && ExchangedToken.isExchangedTokenId(subject)) {
                            verifier.orgs().update(org, r -> r.withRevokedToken(subject));
                        }
                        verifier.evictToken(subject);
                    }
                }
                case ORG_SUSPENDED -> orgState(org, OrgRules.SUSPENDED);
                case ORG_DELETED -> orgState(org, OrgRules.DELETED);
                case ORG_RESUMED -> orgState(org, OrgRules.ACTIVE);
                case POLICY_CHANGED -> {
                    List<String> deleted = org == null ? List.of() : deletedTrustPolicies(event.data().attributes());
                    if (deleted.isEmpty()) {
                        verifier.orgs().refresh();
                    } else {
                        verifier.orgs().update(org, r -> {
                            for (String id : deleted) {
                                r = r.withRevokedTrustPolicy(id);
                            }
                            return r;
                        });
                    }
                }
                default -> { }
            }
        } catch (EventCodec.MalformedEventException e) {
            // Not ours to judge; the audit service reports malformed events.
        }
    }

    /** The ids of the trust policies a {@code policy:changed} deleted: keys {@code tp:<id>} whose {@code after} is null. */
    private static List<String> deletedTrustPolicies(Map<String, Object> attributes) {
        List<String> ids = new ArrayList<>();
        if (attributes != null && TRUST_POLICY.equals(attributes.get("what"))
                && attributes.get("changes") instanceof Map<?, ?> changes) {
            changes.forEach((field, change) -> {
                if (field instanceof String name && name.startsWith(TRUST_POLICY_CHANGE) && name.length() > TRUST_POLICY_CHANGE.length()
                        && change instanceof Map<?, ?> beforeAfter && beforeAfter.get("after") == null) {
                    ids.add(name.substring(TRUST_POLICY_CHANGE.length()));
                }
            });
        }
        return ids;
    }

    private void orgState(String org, String state) {
        if (org != null) {
            verifier.orgs().stateChanged(org, state);
        }
    }
}
