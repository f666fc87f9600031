package dev.keyward.token.domain;

import dev.keyward.contract.ApiException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;

/**
 * The position after the last token of a page, in the listing's order (created_at, id). Clients
 * see it only as an opaque page token.
 */
public record PageCursor(Instant createdAt, String id) {

    public String encode() {
        String raw = createdAt.getEpochSecond() + "." + createdAt.getNano() + "." + id;
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
    }

    /** @throws ApiException 400 for a page token this service did not issue */
    public static PageCursor decode(String pageToken) {
        try {
            String raw = new String(Base64.getUrlDecoder().decode(pageToken), StandardCharsets.UTF_8);
            String[] parts = raw.split("\\.", 3);
            if (parts.length != 3 || !parts[2].startsWith("tok_")) {
                throw new IllegalArgumentException("shape");
            }
            return new PageCursor(Instant.ofEpochSecond(Long.parseLong(parts[0]), Long.parseLong(parts[1])), parts[2]);
        } catch (RuntimeException e) {
            throw ApiException.badRequest("page_token is not valid");
        }
    }
}
