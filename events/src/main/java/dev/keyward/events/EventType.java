package dev.keyward.events;

import java.util.Arrays;
import java.util.Optional;

/** Every event type of the Keyward contract, with its wire name (the CloudEvents {@code type}). */
public enum EventType {
    TOKEN_CREATED("token:created"),
    TOKEN_USED("token:used"),
    TOKEN_REVOKED("token:revoked"),
    TOKEN_ROTATED("token:rotated"),
    TOKEN_EXPIRING("token:expiring"),
    TOKEN_EXPIRED("token:expired"),
    TOKEN_EXCHANGED("token:exchanged"),
    TOKEN_LEAKED("token:leaked"),
    SCOPE_ESCALATED("scope:escalated"),
    AUTH_FAILED("auth:failed"),
    ORG_CREATED("org:created"),
    ORG_SUSPENDED("org:suspended"),
    ORG_RESUMED("org:resumed"),
    ORG_DELETED("org:deleted"),
    /** An org's policy, notification settings, customer keys or trust policies changed ({@code data.what}). */
    POLICY_CHANGED("policy:changed");

    private final String wireName;

    EventType(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    /** A use of a credential rather than a change: travels on {@link KeywardEvent#USAGE_TOPIC}. */
    public boolean isUsage() {
        return this == TOKEN_USED || this == AUTH_FAILED;
    }

    public static Optional<EventType> fromWire(String wireName) {
        return Arrays.stream(values()).filter(t -> t.wireName.equals(wireName)).findFirst();
    }
}
