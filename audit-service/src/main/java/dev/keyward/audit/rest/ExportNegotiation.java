package dev.keyward.audit.rest;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * The export is always NDJSON, written chunk by chunk as text (see {@link AuditResource#export}):
 * whatever the client accepts ({@code application/x-ndjson} above all) is served by that one writer.
 */
public class ExportNegotiation {

    @ServerRequestFilter(preMatching = true)
    public void acceptNdjson(ContainerRequestContext request) {
        if ("/v1/audit/export".equals(request.getUriInfo().getPath())) {
            request.getHeaders().putSingle(HttpHeaders.ACCEPT, MediaType.TEXT_PLAIN);
        }
    }
}
