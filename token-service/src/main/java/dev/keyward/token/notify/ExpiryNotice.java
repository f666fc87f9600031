package dev.keyward.token.notify;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The facts of one notice about a token (a deprecation notice, or a leak): the webhook body as it
 * is sent, and what the e-mail says. Carries the key prefix only, never a key. {@code id} is the id
 * of the event it is about ({@code token:expiring}, {@code token:leaked}), so a receiver can
 * deduplicate a retried delivery. A {@code ping} (the notification settings' test call) has only
 * id, type, time and org. Leak notices leave {@code expires_at} out and say where the key was
 * found ({@code found_in}, e.g. {@code push acme/team/app a/b.txt:3} or a URL) and whether it was
 * revoked.
 */
@com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
public record ExpiryNotice(String id, String type, String time, String org,
                           @JsonProperty("token_id") String tokenId,
                           @JsonProperty("key_prefix") String keyPrefix,
                           String name,
                           @JsonProperty("expires_at") String expiresAt,
                           @JsonProperty("found_in") String foundIn,
                           Boolean revoked) {

    /** A deprecation notice (or a ping). */
    public ExpiryNotice(String id, String type, String time, String org, String tokenId, String keyPrefix, String name,
                        String expiresAt) {
        this(id, type, time, org, tokenId, keyPrefix, name, expiresAt, null, null);
    }

    /** A notice that the key of {@code tokenId} was found exposed ({@code token:leaked}). */
    public static ExpiryNotice leaked(String eventId, String time, String org, String tokenId, String keyPrefix,
                                      String name, String foundIn, boolean revoked) {
        return new ExpiryNotice(eventId, "token:leaked", time, org, tokenId, keyPrefix, name, null, foundIn, revoked);
    }

    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean isLeak() {
        return "token:leaked".equals(type);
    }

    private static final ObjectMapper MAPPER = new ObjectMapper();

    public String toJson() {
        try {
            return MAPPER.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a notice", e);
        }
    }

    public static ExpiryNotice fromJson(String json) {
        try {
            return MAPPER.readValue(json, ExpiryNotice.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot read a stored notice", e);
        }
    }
}
