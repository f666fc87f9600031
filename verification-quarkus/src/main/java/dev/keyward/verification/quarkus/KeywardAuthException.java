package dev.keyward.verification.quarkus;

import dev.keyward.contract.ApiError;
import dev.keyward.contract.RefusalReason;
import dev.keyward.verification.Verification;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * A refused request, carrying its finished response: 401 with {@code WWW-Authenticate: Basic
 * realm="keyward"}, 403, or 503, and the JSON body {@code {"error": <reason>, "message": ...}}.
 * The shared {@link ApiErrorMapper} returns {@link #getResponse()} unchanged.
 */
public class KeywardAuthException extends WebApplicationException {

    public static final String CHALLENGE = "Basic realm=\"keyward\"";

    private final transient Verification.Refused refusal;

    public KeywardAuthException(Verification.Refused refusal) {
        super(refusal.message(), responseFor(refusal));
        this.refusal = refusal;
    }

    public Verification.Refused refusal() {
        return refusal;
    }

    public RefusalReason reason() {
        return refusal.reason();
    }

    /** The response for a refusal, for code that answers without throwing (entity: the JSON string). */
    public static Response responseFor(RefusalReason reason, String message) {
        return errorResponse(reason.httpStatus(), reason.wireName(), message);
    }

    /** Like {@link #responseFor(RefusalReason, String)}, with {@code Retry-After} (seconds) when the refusal names one. */
    public static Response responseFor(Verification.Refused refusal) {
        Response response = responseFor(refusal.reason(), refusal.message());
        if (refusal.retryAfter() == null) {
            return response;
        }
        return Response.fromResponse(response).header(HttpHeaders.RETRY_AFTER, refusal.retryAfter().toSeconds()).build();
    }

    /** An {@link ApiError} response (entity: its JSON text, so servlets can write it too); 401 carries the Basic challenge. */
    public static Response errorResponse(int status, String error, String message) {
        Response.ResponseBuilder b = Response.status(status).type(MediaType.APPLICATION_JSON_TYPE)
                .entity(new ApiError(error, message).toJson());
        if (status == 401) {
            b.header(HttpHeaders.WWW_AUTHENTICATE, CHALLENGE);
        }
        return b.build();
    }
}
