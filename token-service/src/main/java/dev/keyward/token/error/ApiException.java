package dev.keyward.token.error;

import java.util.Map;

/**
 * A refusal with an HTTP status and a machine-readable {@code error} code. Thrown inside the
 * service; the REST layer's one exception mapper turns it into {@code {error, message, ...}}.
 * Messages must never hold a token secret.
 */
public class ApiException extends RuntimeException {

    private final int status;
    private final String error;
    private final Map<String, Object> details;

    public ApiException(int status, String error, String message) {
        this(status, error, message, Map.of());
    }

    public ApiException(int status, String error, String message, Map<String, Object> details) {
        super(message, null, false, false);
        this.status = status;
        this.error = error;
        this.details = Map.copyOf(details);
    }

    public static ApiException badRequest(String message) {
        return new ApiException(400, "bad_request", message);
    }

    /** A field of a hand-read body holds the wrong JSON type: the same answer as the strict reader's. */
    public static ApiException wrongType(String field, String expected) {
        return new ApiException(400, "malformed_json", "'" + field + "' must be " + expected);
    }

    public static ApiException unauthorized(String message) {
        return new ApiException(401, "unauthorized", message);
    }

    public static ApiException forbidden(String message) {
        return new ApiException(403, "forbidden", message);
    }

    public static ApiException notFound(String message) {
        return new ApiException(404, "not_found", message);
    }

    public static ApiException conflict(String error, String message) {
        return new ApiException(409, error, message);
    }

    public static ApiException invalid(String message) {
        return new ApiException(422, "invalid_request", message);
    }

    public int status() {
        return status;
    }

    public String error() {
        return error;
    }

    /** Further fields of the error body, e.g. the excess scopes of an escalation. */
    public Map<String, Object> details() {
        return details;
    }
}
