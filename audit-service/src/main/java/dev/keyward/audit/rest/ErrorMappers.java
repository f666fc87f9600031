package dev.keyward.audit.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import dev.keyward.audit.service.InvalidRequestException;
import dev.keyward.contract.StrictJsonBodies;
import dev.keyward.verification.quarkus.BackendOutage;
import dev.keyward.verification.quarkus.KeywardAuthException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** The one place where failures become {@code {error, message}} answers. */
public class ErrorMappers {

    private static final Logger LOG = Logger.getLogger(ErrorMappers.class);

    @ServerExceptionMapper
    public Response invalid(InvalidRequestException e) {
        return body(400, e.error(), e.getMessage());
    }

    /** A body Jackson refused: 400, or 422 for an unknown field, naming the field (never a value). */
    @ServerExceptionMapper
    public Response malformedJson(JsonProcessingException e) {
        StrictJsonBodies.Problem problem = StrictJsonBodies.problemOf(e);
        return body(problem.status(), problem.error(), problem.message());
    }

    // More specific than Quarkus's built-in mapper for this type, so ours wins.
    @ServerExceptionMapper
    public Response mismatchedJson(MismatchedInputException e) {
        return malformedJson(e);
    }

    /** Refusals of the verification module come with their finished 401/403/503 answer. */
    @ServerExceptionMapper
    public Response denied(KeywardAuthException e) {
        return e.getResponse();
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        if (e.getCause() instanceof JsonProcessingException json) {
            return malformedJson(json);
        }
        int status = e.getResponse().getStatus();
        String error = switch (status) {
            case 404 -> "not_found";
            case 405 -> "method_not_allowed";
            case 406 -> "not_acceptable";
            case 415 -> "unsupported_media_type";
            default -> status >= 500 ? "internal" : "bad_request";
        };
        return body(status, error, Response.Status.fromStatusCode(status) == null
                ? "request failed" : Response.Status.fromStatusCode(status).getReasonPhrase());
    }

    @ServerExceptionMapper
    public Response unexpected(Throwable e) {
        if (BackendOutage.isOutage(e)) {
            LOG.warnf("request not served, the database is unreachable: %s", e.getClass().getName());
            return BackendOutage.response();
        }
        LOG.error("request failed", e);
        return body(500, "internal", "internal error");
    }

    private static Response body(int status, String error, String message) {
        return Response.status(status).entity(new ErrorBody(error, message)).type(MediaType.APPLICATION_JSON).build();
    }
}
