package dev.keyward.token.service;

import dev.keyward.events.EventData;
import dev.keyward.events.EventType;
import dev.keyward.events.KeywardEvent;
import dev.keyward.token.domain.Caller;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The events of an org's lifecycle and settings. Their subject is the org id; they are keyed by
 * the org they concern (not the operator's), so they land in that org's audit trail. Never a secret:
 * a webhook secret appears only as {@code "(set)"} or {@code "(none)"}.
 */
public final class OrgEvents {

    private OrgEvents() {
    }

    static KeywardEvent created(Caller caller, String org, String name, Instant now) {
        return event(EventType.ORG_CREATED, caller, org, "org:create", Map.of("name", name), now);
    }

    static KeywardEvent stateChanged(EventType type, Caller caller, String org, Map<String, Object> attributes, Instant now) {
        String operation = switch (type) {
            case ORG_SUSPENDED -> "org:suspend";
            case ORG_RESUMED -> "org:resume";
            case ORG_DELETED -> "org:delete";
            default -> throw new IllegalArgumentException(type.wireName());
        };
        return event(type, caller, org, operation, attributes, now);
    }

    /**
     * {@code policy:changed} with {@code data.attributes.what} and, per changed field, its value
     * before and after; null when nothing changed.
     */
    static KeywardEvent policyChanged(Caller caller, String org, String what, Map<String, Object> before,
                                      Map<String, Object> after, Instant now) {
        Map<String, Object> changes = new LinkedHashMap<>();
        for (String field : after.keySet()) {
            if (!Objects.equals(before.get(field), after.get(field))) {
                Map<String, Object> change = new LinkedHashMap<>();
                change.put("before", before.get(field));
                change.put("after", after.get(field));
                changes.put(field, change);
            }
        }
        if (changes.isEmpty()) {
            return null;
        }
        Map<String, Object> attributes = new LinkedHashMap<>();
        attributes.put("what", what);
        attributes.put("changes", changes);
        return event(EventType.POLICY_CHANGED, caller, org, "policy:change", attributes, now);
    }

    private static KeywardEvent event(EventType type, Caller caller, String org, String operation,
                                      Map<String, Object> attributes, Instant now) {
        return KeywardEvent.of(TokenEvents.SOURCE, type, now, org, EventData.forOrg(org)
                .actor(caller.actor())
                .keyPrefix(caller.keyPrefix())
                .clientIp(caller.clientIp())
                .operation(operation)
                .outcome("success")
                .attributes(attributes)
                .build());
    }
}
