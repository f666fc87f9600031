package dev.keyward.token.rest;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keyward.contract.ApiException;
import dev.keyward.contract.Digests;
import dev.keyward.token.auth.LeakReporters;
import dev.keyward.token.service.LeakService;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Leak reports from secret scanners: a signed JSON array of {@code {token, type, url, source}}.
 * Every live key in it is handled by {@link LeakService}; the answer labels each entry by the
 * SHA-256 of its token, never the token itself.
 */
@Tag(name = "Leaks", description = "Reports and checks of exposed keys")
@Path("/v1/leaks")
public class LeakReportResource {

    /** Entries per report at most; the body itself is capped by quarkus.http.limits.max-body-size (1 MiB). */
    static final int MAX_ENTRIES = 1_000;

    private static final TypeReference<List<ReportEntry>> ENTRIES = new TypeReference<>() {
    };

    private final LeakReporters reporters;
    private final LeakService leaks;
    private final ObjectMapper json;

    public LeakReportResource(LeakReporters reporters, LeakService leaks, ObjectMapper json) {
        this.reporters = reporters;
        this.leaks = leaks;
        this.json = json;
    }

    record ReportEntry(String token, String type, String url, String source) {
        @Override
        public String toString() {
            return "ReportEntry[token=…, type=" + type + ", url=" + url + ", source=" + source + "]";
        }
    }

    record Label(@JsonProperty("token_hash") String tokenHash, String label) {
    }

    @POST
    @Consumes(MediaType.WILDCARD) // the signature covers the raw bytes, whatever the scanner calls them
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<List<Label>> report(@HeaderParam(LeakReporters.KEY_ID_HEADER) String keyId,
                                   @HeaderParam(LeakReporters.SIGNATURE_HEADER) String signature,
                                   byte[] body) throws JsonProcessingException {
        byte[] raw = body == null ? new byte[0] : body;
        String reporter = reporters.admit(keyId, signature, raw);
        List<ReportEntry> entries = parse(raw);
        if (entries == null) {
            throw ApiException.badRequest("the body must be a JSON array of {token, type, url, source}");
        }
        if (entries.size() > MAX_ENTRIES) {
            throw new ApiException(413, "too_many_entries", "at most " + MAX_ENTRIES + " entries per report");
        }
        List<LeakService.Sighting> sightings = new ArrayList<>(entries.size());
        for (int i = 0; i < entries.size(); i++) {
            ReportEntry e = entries.get(i);
            if (e == null || e.token() == null) {
                throw ApiException.badRequest("entry [" + i + "]: token is required");
            }
            sightings.add(new LeakService.Sighting(e.token(),
                    LeakService.Place.report(reporter, e.url(), e.type(), e.source())));
        }
        return leaks.report(sightings).map(verdicts -> {
            List<Label> labels = new ArrayList<>(verdicts.size());
            for (int i = 0; i < verdicts.size(); i++) {
                labels.add(new Label(Digests.sha256Hex(sightings.get(i).token()),
                        verdicts.get(i).live() ? "true_positive" : "false_positive"));
            }
            return labels;
        });
    }

    private List<ReportEntry> parse(byte[] raw) throws JsonProcessingException {
        try {
            return json.readValue(raw, ENTRIES);
        } catch (JsonProcessingException e) {
            throw e; // the one mapper answers it, naming the field and never a value
        } catch (java.io.IOException e) {
            throw ApiException.badRequest("the body could not be read");
        }
    }

}
