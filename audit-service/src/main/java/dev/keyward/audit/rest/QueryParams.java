package dev.keyward.audit.rest;

import dev.keyward.contract.ApiException;
import dev.keyward.events.EventType;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/** Validation of the query parameters of the audit endpoints; each failure is a 400 with a reason. */
final class QueryParams {

    static final int DEFAULT_PAGE_SIZE = 50;
    static final int MAX_PAGE_SIZE = 500;
    private static final int MAX_VALUE_LENGTH = 256;

    private QueryParams() {
    }

    static String type(String value) {
        if (blank(value)) {
            return null;
        }
        return EventType.fromWire(value).map(EventType::wireName).orElseThrow(() ->
                ApiException.badRequest("invalid_type", "type must be one of the event types, e.g. token:created"));
    }

    /** An ISO-8601 instant with an offset, e.g. {@code 2026-01-31T12:00:00Z}. */
    static Instant time(String name, String value) {
        if (blank(value)) {
            return null;
        }
        try {
            return OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException e) {
            throw ApiException.badRequest("invalid_time",
                    name + " must be an ISO-8601 date-time with offset, e.g. 2026-01-31T12:00:00Z");
        }
    }

    static void range(Instant since, Instant until) {
        if (since != null && until != null && !since.isBefore(until)) {
            throw ApiException.badRequest("invalid_time", "since must be before until");
        }
    }

    static String text(String name, String value) {
        if (blank(value)) {
            return null;
        }
        if (value.length() > MAX_VALUE_LENGTH) {
            throw ApiException.badRequest("invalid_" + name, name + " is longer than " + MAX_VALUE_LENGTH + " characters");
        }
        // No id, actor or repository holds a control character; PostgreSQL text cannot hold NUL at all.
        if (value.chars().anyMatch(Character::isISOControl)) {
            throw ApiException.badRequest("invalid_" + name, name + " must not contain control characters");
        }
        return value;
    }

    static int pageSize(String value) {
        if (blank(value)) {
            return DEFAULT_PAGE_SIZE;
        }
        try {
            int size = Integer.parseInt(value);
            if (size >= 1 && size <= MAX_PAGE_SIZE) {
                return size;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw ApiException.badRequest("invalid_page_size", "page_size must be between 1 and " + MAX_PAGE_SIZE);
    }

    static String pageToken(String value) {
        return blank(value) ? null : value;
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }
}
