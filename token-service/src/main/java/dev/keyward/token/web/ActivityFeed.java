package dev.keyward.token.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keyward.token.repository.TokenEntity;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.ext.web.client.WebClient;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The "recent activity" panel of /ui. With {@code keyward.ui.audit-service-url} set, an org admin
 * sees the org's audit trail, fetched from audit-service ({@code GET /v1/audit/events}) with their
 * own access token, so audit-service applies its own rules. Otherwise (no audit-service, or an org
 * member, who has no audit:read) the panel shows the creations, rotations and revocations of the
 * tokens the person can see, from this service's records.
 */
@ApplicationScoped
public class ActivityFeed {

    private static final Logger LOG = Logger.getLogger(ActivityFeed.class);
    private static final int SIZE = 10;

    private final Optional<URI> auditService;
    private final WebClient http;
    private final ObjectMapper json;

    public ActivityFeed(@ConfigProperty(name = "keyward.ui.audit-service-url") Optional<String> auditServiceUrl,
                        Vertx vertx, ObjectMapper json) {
        this.auditService = auditServiceUrl.filter(u -> !u.isBlank()).map(URI::create);
        this.http = WebClient.create(vertx);
        this.json = json;
    }

    /** One line of the panel. */
    public record Activity(Instant time, String type, String subject, String actor, String outcome) {
    }

    /** What the panel shows, and where it came from. */
    public record Feed(String source, List<Activity> items, String problem) {
    }

    /**
     * @param admin       whether the person may read the org's audit trail
     * @param accessToken the person's access token, for audit-service
     * @param visible     the tokens the person can see, for the local feed
     */
    public Uni<Feed> recent(boolean admin, String accessToken, List<TokenEntity> visible) {
        if (!admin || auditService.isEmpty() || accessToken == null) {
            return Uni.createFrom().item(new Feed("token records", local(visible), null));
        }
        URI base = auditService.get();
        return http.getAbs(base.resolve("/v1/audit/events").toString())
                .addQueryParam("page_size", String.valueOf(SIZE))
                .bearerTokenAuthentication(accessToken)
                .timeout(Duration.ofSeconds(5).toMillis())
                .send()
                .map(response -> {
                    if (response.statusCode() != 200) {
                        return new Feed("audit-service", List.of(), "audit-service answered " + response.statusCode());
                    }
                    return new Feed("audit-service", parse(response.bodyAsString()), null);
                })
                .onFailure().recoverWithItem(e -> {
                    LOG.warnf("audit-service not reachable for the activity panel: %s", e.toString());
                    return new Feed("audit-service", List.of(), "audit-service is not reachable");
                });
    }

    private List<Activity> parse(String body) {
        try {
            List<Activity> items = new ArrayList<>();
            for (JsonNode event : json.readTree(body).path("events")) {
                JsonNode data = event.path("data");
                items.add(new Activity(Instant.parse(event.path("time").asText()), event.path("type").asText(),
                        event.path("subject").asText(""), data.path("actor").asText(""), data.path("outcome").asText("")));
            }
            return items;
        } catch (Exception e) {
            LOG.warnf("audit-service answer not understood: %s", e.getClass().getSimpleName());
            return List.of();
        }
    }

    static List<Activity> local(List<TokenEntity> tokens) {
        List<Activity> items = new ArrayList<>();
        for (TokenEntity t : tokens) {
            items.add(new Activity(t.createdAt, "token:created", t.id, t.createdByName, "success"));
            if (t.rotatedAt != null) {
                items.add(new Activity(t.rotatedAt, "token:rotated", t.id, "", "success"));
            }
            if (t.revokedAt != null) {
                items.add(new Activity(t.revokedAt, "token:revoked", t.id, "", "success"));
            }
        }
        items.sort(Comparator.comparing(Activity::time).reversed());
        return List.copyOf(items.subList(0, Math.min(SIZE, items.size())));
    }
}
