package dev.keyward.repo.service;

import java.util.Map;

/**
 * A request the service refuses, with the status and the {@code error} code of the JSON body, and
 * fields the body carries besides {@code error} and {@code message} (e.g. the paths of a merge conflict).
 */
public class RepoServiceException extends RuntimeException {

    private final int status;
    private final String error;
    private final Map<String, Object> details;

    public RepoServiceException(int status, String error, String message) {
        this(status, error, message, Map.of());
    }

    public RepoServiceException(int status, String error, String message, Map<String, Object> details) {
        super(message);
        this.status = status;
        this.error = error;
        this.details = Map.copyOf(details);
    }

    public int status() {
        return status;
    }

    public String error() {
        return error;
    }

    /** Extra fields of the error body; never {@code error} or {@code message}. */
    public Map<String, Object> details() {
        return details;
    }

    public static RepoServiceException badRequest(String error, String message) {
        return new RepoServiceException(400, error, message);
    }

    public static RepoServiceException notFound(String message) {
        return new RepoServiceException(404, "not_found", message);
    }

    public static RepoServiceException conflict(String message) {
        return new RepoServiceException(409, "conflict", message);
    }

    /** A request that is well-formed but breaks a rule of the call (422). */
    public static RepoServiceException unprocessable(String error, String message) {
        return new RepoServiceException(422, error, message);
    }
}
