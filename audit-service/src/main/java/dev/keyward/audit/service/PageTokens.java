package dev.keyward.audit.service;

import dev.keyward.contract.ApiException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Objects;

/**
 * Opaque page tokens: the (time, seq) keyset position of the last event served, bound to the filter
 * it was served for so that a token is not silently reused with other filters.
 */
public final class PageTokens {

    private static final String VERSION = "v1";

    private PageTokens() {
    }

    public static String encode(EventPosition position, EventFilter filter) {
        String raw = VERSION + '|' + position.time().getEpochSecond() + '|' + position.time().getNano() + '|'
                + position.seq() + '|' + fingerprint(filter);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
    }

    /** @throws ApiException when the token is not one of ours or belongs to other filters */
    public static EventPosition decode(String token, EventFilter filter) {
        try {
            String raw = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
            String[] parts = raw.split("\\|", -1);
            if (parts.length != 5 || !VERSION.equals(parts[0])) {
                throw invalid();
            }
            if (!fingerprint(filter).equals(parts[4])) {
                throw ApiException.badRequest("invalid_page_token", "page_token was issued for other filters");
            }
            Instant time = Instant.ofEpochSecond(Long.parseLong(parts[1]), Long.parseLong(parts[2]));
            return new EventPosition(time, Long.parseLong(parts[3]));
        } catch (IllegalArgumentException | java.time.DateTimeException | ArithmeticException e) {
            throw invalid();
        }
    }

    private static ApiException invalid() {
        return ApiException.badRequest("invalid_page_token", "page_token is not valid");
    }

    private static String fingerprint(EventFilter f) {
        String joined = String.join("\u0001", Objects.toString(f.org()), Objects.toString(f.type()),
                Objects.toString(f.tokenId()), Objects.toString(f.actor()), Objects.toString(f.repo()),
                Objects.toString(f.since()), Objects.toString(f.until()));
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(joined.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
