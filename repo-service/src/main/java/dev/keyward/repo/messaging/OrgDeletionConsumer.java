package dev.keyward.repo.messaging;

import dev.keyward.events.EventCodec;
import dev.keyward.events.EventType;
import dev.keyward.events.KeywardEvent;
import dev.keyward.repo.service.RepositoryService;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Removes a deleted org's repositories when {@code org:deleted} arrives. A consumer group of its
 * own with committed offsets: a replica that was down when the org was deleted still hears of it.
 * Deleting is idempotent, so a redelivered event does no harm. The audit trail keeps the history.
 */
@ApplicationScoped
public class OrgDeletionConsumer {

    private static final Logger LOG = Logger.getLogger(OrgDeletionConsumer.class);
    private static final String DELETED = "\"" + EventType.ORG_DELETED.wireName() + "\"";

    private final RepositoryService repositories;

    public OrgDeletionConsumer(RepositoryService repositories) {
        this.repositories = repositories;
    }

    @Incoming("org-events")
    public Uni<Void> consume(String json) {
        // Deletions are rare among the topic's changes: only a record naming the type is parsed.
        if (json == null || !json.contains(DELETED)) {
            return Uni.createFrom().voidItem();
        }
        KeywardEvent event;
        try {
            event = EventCodec.fromJson(json);
        } catch (EventCodec.MalformedEventException e) {
            return Uni.createFrom().voidItem();
        }
        if (event.type() != EventType.ORG_DELETED || event.data() == null || event.data().org() == null) {
            return Uni.createFrom().voidItem();
        }
        String org = event.data().org();
        // A database outage holds the partition and retries: a deletion is never skipped.
        return repositories.deleteAllOf(org)
                .invoke(count -> LOG.infof("org %s was deleted: removed its %d repositories", org, count))
                .onFailure().invoke(e -> LOG.warnf("removing the repositories of deleted org %s failed, retrying: %s",
                        org, e.getClass().getSimpleName()))
                .onFailure().retry().withBackOff(Duration.ofMillis(200), Duration.ofSeconds(10)).indefinitely()
                .replaceWithVoid();
    }
}
