package dev.keyward.verification.quarkus;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import dev.keyward.contract.ApiError;
import dev.keyward.contract.ApiException;
import dev.keyward.contract.StrictJsonBodies;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * The one exception mapper of every Keyward service (found in this bean archive by Quarkus REST):
 * each failure becomes an {@link ApiError} body with the status that fits. Messages are ours, never
 * a parser's or the framework's echo of the request (which could hold a key).
 * <p>
 * A 401 of an {@link ApiException} carries the challenge of {@code keyward.errors.challenge}
 * (default {@code Basic realm="keyward"}); the verifier's own refusals come finished, with theirs.
 */
public class ApiErrorMapper {

    private static final Logger LOG = Logger.getLogger(ApiErrorMapper.class);

    private final String challenge;

    public ApiErrorMapper(@ConfigProperty(name = "keyward.errors.challenge") Optional<String> challenge) {
        this.challenge = challenge.orElse(KeywardAuthException.CHALLENGE);
    }

    @ServerExceptionMapper
    public Response api(ApiException e) {
        Response.ResponseBuilder response = Response.status(e.status()).type(MediaType.APPLICATION_JSON_TYPE).entity(e.body());
        if (e.status() == 401) {
            response.header(HttpHeaders.WWW_AUTHENTICATE, challenge);
        }
        if (e.details().get("retry_after") instanceof Number seconds) {
            response.header(HttpHeaders.RETRY_AFTER, seconds.longValue());
        }
        return response.build();
    }

    /** Refusals of the shared verifier come with their finished response (challenge, Retry-After). */
    @ServerExceptionMapper
    public Response refused(KeywardAuthException e) {
        return e.getResponse();
    }

    /** A body Jackson refused: 400, or 422 for an unknown field, naming the field (never a value). */
    @ServerExceptionMapper
    public Response malformedJson(JsonProcessingException e) {
        StrictJsonBodies.Problem problem = StrictJsonBodies.problemOf(e);
        return error(problem.status(), problem.error(), problem.message());
    }

    // More specific than Quarkus's built-in mappers for these types, so ours win.
    @ServerExceptionMapper
    public Response mismatchedJson(MismatchedInputException e) {
        return malformedJson(e);
    }

    @ServerExceptionMapper
    public Response unknownField(UnrecognizedPropertyException e) {
        return malformedJson(e);
    }

    /** The framework's refusals (no route, wrong method or media type): fixed messages of ours. */
    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        if (e.getCause() instanceof JsonProcessingException json) {
            return malformedJson(json);
        }
        int status = e.getResponse().getStatus();
        return switch (status) {
            case 400 -> error(400, "bad_request", "the request is malformed");
            case 404 -> error(404, "not_found", "no such resource");
            case 405 -> error(405, "method_not_allowed", "method not allowed on this resource");
            case 406 -> error(406, "not_acceptable", "this resource produces application/json");
            case 415 -> error(415, "unsupported_media_type", "send application/json");
            default -> status >= 500 ? error(status, "internal", "internal error")
                    : error(status, "request_refused", "the request cannot be served");
        };
    }

    /**
     * Last resort. An unreachable database is 503 (nothing applied, try again); anything else is a
     * bug: 500, logged by class only, since a message could quote the request.
     */
    @ServerExceptionMapper
    public Response unexpected(Throwable e) {
        if (e.getCause() instanceof ApiException api) {
            return api(api);
        }
        if (BackendOutage.isOutage(e)) {
            LOG.warnf("request not applied, the database is unreachable: %s", e.getClass().getName());
            return BackendOutage.response();
        }
        LOG.errorf("unexpected failure: %s", e.getClass().getName());
        LOG.debug("unexpected failure", e);
        return error(500, "internal", "internal error");
    }

    private static Response error(int status, String error, String message) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(new ApiError(error, message)).build();
    }
}
