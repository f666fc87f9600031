package dev.keyward.audit.rest;

/** The body of every error answer: a machine-readable {@code error} and a human {@code message}. */
public record ErrorBody(String error, String message) {
}
