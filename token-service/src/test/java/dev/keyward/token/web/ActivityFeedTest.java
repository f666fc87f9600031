package dev.keyward.token.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keyward.token.repository.TokenEntity;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.http.HttpServer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The /ui activity panel. audit-service cannot run inside this JVM, so its answer is played at the
 * wire by a real HTTP server with the body shape of {@code GET /v1/audit/events}.
 */
class ActivityFeedTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private Vertx vertx;
    private HttpServer server;
    private final AtomicReference<String> seenAuthorization = new AtomicReference<>();
    private final AtomicReference<String> seenQuery = new AtomicReference<>();
    private volatile int status = 200;

    @BeforeEach
    void startAuditService() {
        vertx = Vertx.vertx();
        server = vertx.createHttpServer().requestHandler(request -> {
            seenAuthorization.set(request.getHeader("Authorization"));
            seenQuery.set(request.path() + "?" + request.query());
            request.response().setStatusCode(status).putHeader("Content-Type", "application/json")
                    .endAndForget(status != 200 ? "{\"error\":\"scope\",\"message\":\"no\"}" : """
                            {"events": [{"specversion": "1.0", "id": "e1", "type": "token:revoked",
                              "source": "/keyward/token-service", "subject": "tok_abc", "time": "2026-01-02T03:04:05Z",
                              "data": {"org": "demo", "actor": "u-1", "outcome": "success"},
                              "audit": {"seq": 3}}],
                             "next_page_token": null}""");
        }).listen(0).await().atMost(WAIT);
    }

    @AfterEach
    void stop() {
        vertx.closeAndAwait();
    }

    @Test
    void anAdminSeesTheOrgsTrailFetchedWithTheirOwnAccessToken() {
        ActivityFeed.Feed feed = feed().recent(true, "the-access-token", List.of()).await().atMost(WAIT);
        assertThat(seenAuthorization.get()).isEqualTo("Bearer the-access-token");
        assertThat(seenQuery.get()).isEqualTo("/v1/audit/events?page_size=10");
        assertThat(feed.source()).isEqualTo("audit-service");
        assertThat(feed.problem()).isNull();
        assertThat(feed.items()).containsExactly(new ActivityFeed.Activity(Instant.parse("2026-01-02T03:04:05Z"),
                "token:revoked", "tok_abc", "u-1", "success"));
    }

    @Test
    void aRefusalIsShownNotHidden() {
        status = 403;
        ActivityFeed.Feed feed = feed().recent(true, "t", List.of()).await().atMost(WAIT);
        assertThat(feed.items()).isEmpty();
        assertThat(feed.problem()).isEqualTo("audit-service answered 403");
    }

    @Test
    void aMemberOrNoAuditServiceGetsTheLocalRecordsNewestFirst() {
        TokenEntity token = new TokenEntity();
        token.id = "tok_1";
        token.createdByName = "bob";
        token.createdAt = Instant.parse("2026-01-01T00:00:00Z");
        token.revokedAt = Instant.parse("2026-01-03T00:00:00Z");
        ActivityFeed.Feed feed = feed().recent(false, "t", List.of(token)).await().atMost(WAIT);
        assertThat(seenAuthorization.get()).isNull();
        assertThat(feed.source()).isEqualTo("token records");
        assertThat(feed.items()).extracting(ActivityFeed.Activity::type).containsExactly("token:revoked", "token:created");
        ActivityFeed unconfigured = new ActivityFeed(Optional.empty(), vertx, new ObjectMapper());
        assertThat(unconfigured.recent(true, "t", List.of(token)).await().atMost(WAIT).source()).isEqualTo("token records");
    }

    private ActivityFeed feed() {
        return new ActivityFeed(Optional.of("http://127.0.0.1:" + server.actualPort()), vertx, new ObjectMapper());
    }
}
