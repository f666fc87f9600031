package dev.keyward.audit.service;

import dev.keyward.audit.repository.EventQueryRepository;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

/** Listing and export of one org's events. */
@ApplicationScoped
public class AuditQueries {

    /** Rows per database round trip of an export: memory stays bounded by one chunk. */
    static final int EXPORT_CHUNK = 1000;

    private final EventQueryRepository repository;

    public AuditQueries(EventQueryRepository repository) {
        this.repository = repository;
    }

    /** One page, newest first, and the token of the next page (null on the last page). */
    public record Page(List<EventRecord> events, String nextPageToken) {
    }

    public Uni<Page> list(EventFilter filter, int pageSize, String pageToken) {
        EventPosition after = pageToken == null ? null : PageTokens.decode(pageToken, filter);
        // One extra row tells whether another page exists without a count query.
        return repository.page(filter, after, true, pageSize + 1).map(rows -> {
            if (rows.size() <= pageSize) {
                return new Page(rows, null);
            }
            List<EventRecord> page = rows.subList(0, pageSize);
            return new Page(List.copyOf(page), PageTokens.encode(page.get(pageSize - 1).position(), filter));
        });
    }

    /**
     * All matching events oldest first, fetched chunk by chunk on demand so that an export of millions
     * of rows never holds more than one chunk. Each item is one chunk: its events' JSON lines joined by
     * newlines, without a trailing one (the NDJSON writer ends each item with a newline).
     */
    public Multi<String> export(EventFilter filter) {
        return Multi.createBy().repeating()
                .uni(() -> new AtomicReference<EventPosition>(), last -> repository.page(filter, last.get(), false, EXPORT_CHUNK)
                        .invoke(chunk -> {
                            if (!chunk.isEmpty()) {
                                last.set(chunk.get(chunk.size() - 1).position());
                            }
                        }))
                .until(List::isEmpty)
                .map(chunk -> chunk.stream().map(EventRecord::toJson).collect(Collectors.joining("\n", "", "\n")));
    }
}
