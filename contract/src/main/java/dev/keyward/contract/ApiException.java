package dev.keyward.contract;

import java.util.Map;

/**
 * A refusal with an HTTP status and a machine-readable {@code error} code: the one exception that
 * domain rules of every service throw. The shared exception mapper of the Quarkus services turns it
 * into an {@link ApiError} body. Messages must never hold a token secret.
 */
public class ApiException extends RuntimeException {

    private final int status;
    private final String error;
    private final Map<String, Object> details;

    public ApiException(int status, String error, String message) {
        this(status, error, message, Map.of());
    }

    /** {@code details} become further fields of the body; a numeric {@code retry_after} also the {@code Retry-After} header. */
    public ApiException(int status, String error, String message, Map<String, Object> details) {
        super(message, null, false, false); // a refusal, not a bug: no stack trace to fill
        this.status = status;
        this.error = error;
        this.details = Map.copyOf(details);
    }

    public static ApiException badRequest(String message) {
        return new ApiException(400, "bad_request", message);
    }

    /** 400 with a code of its own, e.g. {@code invalid_parameter}. */
    public static ApiException badRequest(String error, String message) {
        return new ApiException(400, error, message);
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

    public static ApiException conflict(String message) {
        return new ApiException(409, "conflict", message);
    }

    public static ApiException conflict(String error, String message) {
        return new ApiException(409, error, message);
    }

    public static ApiException invalid(String message) {
        return new ApiException(422, "invalid_request", message);
    }

    /** A request that is well-formed but breaks a rule of the call (422), with its own code. */
    public static ApiException unprocessable(String error, String message) {
        return new ApiException(422, error, message);
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

    /** The body this refusal is answered with. */
    public ApiError body() {
        return new ApiError(error, getMessage(), details);
    }
}
