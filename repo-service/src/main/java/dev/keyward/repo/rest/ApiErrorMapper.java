package dev.keyward.repo.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import dev.keyward.contract.StrictJsonBodies;
import dev.keyward.repo.service.RepoServiceException;
import dev.keyward.verification.quarkus.BackendOutage;
import dev.keyward.verification.quarkus.KeywardAuthException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** The service's one mapping from failures to {@code {"error", "message"}} bodies. */
public class ApiErrorMapper {

    private static final Logger LOG = Logger.getLogger(ApiErrorMapper.class);

    @ServerExceptionMapper
    public Response auth(KeywardAuthException e) {
        return e.getResponse(); // already {error, message}, with the Basic challenge on 401
    }

    @ServerExceptionMapper
    public Response service(RepoServiceException e) {
        if (e.details().isEmpty()) {
            return body(e.status(), e.error(), e.getMessage());
        }
        Map<String, Object> entity = new LinkedHashMap<>();
        entity.put("error", e.error());
        entity.put("message", e.getMessage() == null ? e.error() : e.getMessage());
        e.details().forEach(entity::putIfAbsent);
        return Response.status(e.status()).type(MediaType.APPLICATION_JSON_TYPE).entity(entity).build();
    }

    /** Never the parser's own message (it can quote the request body back): the field, named. */
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

    @ServerExceptionMapper
    public Response unknownField(UnrecognizedPropertyException e) {
        return malformedJson(e);
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        if (e.getCause() instanceof JsonProcessingException json) {
            return malformedJson(json);
        }
        int status = e.getResponse().getStatus();
        String error = switch (status) {
            case 400 -> "bad_request";
            case 404 -> "not_found";
            case 405 -> "method_not_allowed";
            case 406, 415 -> "unsupported_media_type";
            default -> status >= 500 ? "internal" : "request_refused";
        };
        return body(status, error, status >= 500 ? "internal error" : e.getMessage());
    }

    @ServerExceptionMapper
    public Response unexpected(Throwable e) {
        if (BackendOutage.isOutage(e)) {
            LOG.warnf("request not applied, the database is unreachable: %s", e.getClass().getName());
            return BackendOutage.response();
        }
        LOG.error("unexpected failure", e);
        return body(500, "internal", "internal error");
    }

    static Response body(int status, String error, String message) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE)
                .entity(Map.of("error", error, "message", message == null ? error : message)).build();
    }
}
