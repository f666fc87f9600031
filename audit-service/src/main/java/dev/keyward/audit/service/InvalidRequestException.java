package dev.keyward.audit.service;

/** A request the service refuses as malformed (400 {@code {error, message}}). */
public class InvalidRequestException extends RuntimeException {

    private final String error;

    public InvalidRequestException(String error, String message) {
        super(message, null, false, false);
        this.error = error;
    }

    public String error() {
        return error;
    }
}
