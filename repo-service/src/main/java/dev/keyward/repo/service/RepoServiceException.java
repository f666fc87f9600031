package dev.keyward.repo.service;

/** A request the service refuses, with the status and the {@code error} code of the JSON body. */
public class RepoServiceException extends RuntimeException {

    private final int status;
    private final String error;

    public RepoServiceException(int status, String error, String message) {
        super(message);
        this.status = status;
        this.error = error;
    }

    public int status() {
        return status;
    }

    public String error() {
        return error;
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
}
