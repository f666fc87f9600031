package dev.keyward.audit.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keyward.audit.auth.AuditReaders;
import dev.keyward.audit.service.AuditQueries;
import dev.keyward.audit.service.ChainVerification;
import dev.keyward.audit.service.EventFilter;
import dev.keyward.audit.service.EventRecord;
import dev.keyward.audit.service.VerifyReport;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestQuery;
import org.jboss.resteasy.reactive.RestMulti;

/** The audit trail of the caller's org: listing, export and chain verification. All need {@code audit:read}. */
@Tag(name = "Audit trail", description = "The org's events: query, export and chain verification")
@Path("/v1/audit")
public class AuditResource {

    static final String NDJSON = "application/x-ndjson";

    private final AuditReaders readers;
    private final AuditQueries queries;
    private final ChainVerification verification;
    private final ObjectMapper json;

    public AuditResource(AuditReaders readers, AuditQueries queries, ChainVerification verification, ObjectMapper json) {
        this.readers = readers;
        this.queries = queries;
        this.verification = verification;
        this.json = json;
    }

    @GET
    @Path("/events")
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<EventPageView> events(@RestQuery String type, @RestQuery("token_id") String tokenId,
                                     @RestQuery String actor, @RestQuery String repo, @RestQuery String since,
                                     @RestQuery String until, @RestQuery("page_size") String pageSize,
                                     @RestQuery("page_token") String pageToken) {
        return readers.requireAuditRead().chain(org -> {
            Instant from = QueryParams.time("since", since);
            Instant to = QueryParams.time("until", until);
            QueryParams.range(from, to);
            EventFilter filter = new EventFilter(org, QueryParams.type(type),
                    QueryParams.text("token_id", tokenId), QueryParams.text("actor", actor),
                    QueryParams.text("repo", repo), from, to);
            return queries.list(filter, QueryParams.pageSize(pageSize), QueryParams.pageToken(pageToken));
        }).map(page -> new EventPageView(page.events().stream().map(this::tree).toList(), page.nextPageToken()));
    }

    /**
     * Every event of the range, oldest first, one JSON object per line, streamed in chunks. Authorised
     * and validated before the first byte, so a refusal is still a proper error answer.
     */
    @GET
    @Path("/export")
    @Produces(MediaType.TEXT_PLAIN)
    public Multi<String> export(@RestQuery String since, @RestQuery String until) {
        // Declared as text so each chunk is written as it is; the answer is labelled NDJSON.
        return RestMulti.fromUniResponse(readers.requireAuditRead().map(org -> {
            Instant from = QueryParams.time("since", since);
            Instant to = QueryParams.time("until", until);
            QueryParams.range(from, to);
            return queries.export(EventFilter.timeRange(org, from, to));
        }), chunks -> chunks, chunks -> Map.of(HttpHeaders.CONTENT_TYPE, List.of(NDJSON)));
    }

    @GET
    @Path("/verify")
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<VerifyReport> verify() {
        return readers.requireAuditRead().chain(verification::verify);
    }

    private JsonNode tree(EventRecord event) {
        try {
            return json.readTree(event.toJson());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a stored event is not JSON", e);
        }
    }
}
