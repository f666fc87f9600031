package dev.keyward.repo.rest;

import dev.keyward.contract.ApiException;

/**
 * The text query parameters of the repository listing. Each failure is a 400 naming the parameter:
 * PostgreSQL text cannot hold NUL, and no repository id holds a control character.
 */
final class ListParameters {

    /** No repository id is longer, so no longer prefix matches anything. */
    private static final int MAX_PREFIX_LENGTH = 200;

    private ListParameters() {
    }

    static String prefix(String value) {
        if (value == null) {
            return null;
        }
        if (value.length() > MAX_PREFIX_LENGTH) {
            throw ApiException.badRequest("invalid_prefix", "prefix is longer than " + MAX_PREFIX_LENGTH + " characters");
        }
        if (value.chars().anyMatch(Character::isISOControl)) {
            throw ApiException.badRequest("invalid_prefix", "prefix must not contain control characters");
        }
        return value;
    }

    /** Absent is null (the default size); anything but a whole number is refused here, the range by the service. */
    static Integer pageSize(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Integer.valueOf(value.strip());
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("invalid_page_size", "page_size must be a whole number");
        }
    }
}
