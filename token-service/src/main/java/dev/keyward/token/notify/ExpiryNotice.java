package dev.keyward.token.notify;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The facts of one deprecation notice: the webhook body as it is sent, and what the e-mail says.
 * Carries the key prefix only, never a key. {@code id} is the {@code token:expiring} event id, so
 * a receiver can deduplicate a retried delivery. A {@code ping} (the notification settings' test
 * call) has only id, type, time and org.
 */
@com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
public record ExpiryNotice(String id, String type, String time, String org,
                           @JsonProperty("token_id") String tokenId,
                           @JsonProperty("key_prefix") String keyPrefix,
                           String name,
                           @JsonProperty("expires_at") String expiresAt) {

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
