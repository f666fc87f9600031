package dev.keyward.token.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import dev.keyward.contract.StrictJsonBodies;
import dev.keyward.token.error.ApiException;
import dev.keyward.verification.quarkus.BackendOutage;
import dev.keyward.verification.quarkus.KeywardAuthException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * The service's one exception mapper: every failure becomes {@code {error, message}} with the right
 * status. Messages are ours, never a parser's echo of the request (which could hold a key).
 */
public class ApiErrorMapper {

    private static final Logger LOG = Logger.getLogger(ApiErrorMapper.class);

    @ServerExceptionMapper
    public Response api(ApiException e) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", e.error());
        body.put("message", e.getMessage());
        body.putAll(e.details());
        Response.ResponseBuilder response = Response.status(e.status()).type(MediaType.APPLICATION_JSON).entity(body);
        if (e.status() == 401) {
            response.header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"keyward\"");
        }
        if (e.status() == 429 && e.details().get("retry_after") instanceof Number seconds) {
            response.header("Retry-After", seconds.longValue());
        }
        return response.build();
    }

    /** Refusals of the shared verifier come with their finished {error, message} response. */
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

    // More specific than Quarkus's built-in mapper for this type, so ours wins.
    @ServerExceptionMapper
    public Response mismatchedJson(MismatchedInputException e) {
        return malformedJson(e);
    }

    @ServerExceptionMapper
    public Response unknownField(UnrecognizedPropertyException e) {
        return malformedJson(e);
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        if (e.getCause() instanceof JsonProcessingException json) {
            return malformedJson(json);
        }
        return switch (status) {
            case 400 -> error(400, "bad_request", "the request is malformed");
            case 404 -> error(404, "not_found", "no such resource");
            case 405 -> error(405, "method_not_allowed", "method not allowed on this resource");
            case 406 -> error(406, "not_acceptable", "this resource produces application/json");
            case 415 -> error(415, "unsupported_media_type", "send application/json");
            default -> error(status, status >= 500 ? "internal" : "error",
                    status >= 500 ? "internal error" : "the request cannot be served");
        };
    }

    @ServerExceptionMapper
    public Response unexpected(Exception e) {
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
        return Response.status(status).type(MediaType.APPLICATION_JSON)
                .entity(Map.of("error", error, "message", message)).build();
    }
}
