package dev.keyward.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.Map;

/**
 * The {@code data} of a Keyward event. Fields that do not apply to a type are null and left out
 * of the JSON. Nothing here may ever hold a token secret: {@code keyPrefix} is the display prefix
 * only.
 *
 * @param org        org id (also the Kafka key)
 * @param actor      who did it: a token id, a person's id, or {@code system}
 * @param keyPrefix  the token's display prefix (first 12 characters), never more
 * @param repo       repository id, where one applies
 * @param operation  what was attempted, e.g. {@code git:read}, {@code token:create}
 * @param clientIp   the caller's address, where known
 * @param outcome    {@code success}, {@code denied}, {@code failure}
 * @param reason     why something was refused, machine-readable
 * @param count      for a {@code token:used} or {@code auth:failed} that folds identical uses seen within
 *                   one window: how many; absent for one use (read it with {@link KeywardEvent#uses()})
 * @param firstAt    with {@code count}: when the first of the folded uses happened
 * @param lastAt     with {@code count}: when the last of them happened
 * @param attributes further non-secret facts of the event (scopes, expiry, ...)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record EventData(
        String org,
        String actor,
        @JsonProperty("key_prefix") String keyPrefix,
        String repo,
        String operation,
        @JsonProperty("client_ip") String clientIp,
        String outcome,
        String reason,
        Long count,
        @JsonProperty("first_at") Instant firstAt,
        @JsonProperty("last_at") Instant lastAt,
        Map<String, Object> attributes) {

    public static Builder forOrg(String org) {
        return new Builder(org);
    }

    /** Builds an {@link EventData} one field at a time. */
    public static final class Builder {
        private final String org;
        private String actor;
        private String keyPrefix;
        private String repo;
        private String operation;
        private String clientIp;
        private String outcome;
        private String reason;
        private Long count;
        private Instant firstAt;
        private Instant lastAt;
        private Map<String, Object> attributes;

        private Builder(String org) {
            this.org = org;
        }

        public Builder actor(String v) { this.actor = v; return this; }
        public Builder keyPrefix(String v) { this.keyPrefix = v; return this; }
        public Builder repo(String v) { this.repo = v; return this; }
        public Builder operation(String v) { this.operation = v; return this; }
        public Builder clientIp(String v) { this.clientIp = v; return this; }
        public Builder outcome(String v) { this.outcome = v; return this; }
        public Builder reason(String v) { this.reason = v; return this; }
        /** {@code count} uses folded into one event, the first at {@code first}, the last at {@code last}. */
        public Builder folded(long count, Instant first, Instant last) {
            this.count = count;
            this.firstAt = first;
            this.lastAt = last;
            return this;
        }

        public Builder attributes(Map<String, Object> v) { this.attributes = v; return this; }

        public EventData build() {
            return new EventData(org, actor, keyPrefix, repo, operation, clientIp, outcome, reason, count, firstAt, lastAt,
                    attributes == null || attributes.isEmpty() ? null : Map.copyOf(attributes));
        }
    }
}
