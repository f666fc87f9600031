package dev.keyward.verification.quarkus;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyward.contract.ApiKeyFormat;
import dev.keyward.contract.Introspection;
import dev.keyward.contract.Permission;
import dev.keyward.contract.RefusalReason;
import dev.keyward.contract.TokenKind;
import dev.keyward.events.EventCodec;
import dev.keyward.events.EventType;
import dev.keyward.events.KeywardEvent;
import dev.keyward.verification.Access;
import dev.keyward.verification.PresentedCredential;
import dev.keyward.verification.RequestAuthorizer;
import dev.keyward.verification.UseEvents;
import dev.keyward.verification.Verification;
import dev.keyward.verification.VerifierSettings;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RequestAuthorizerTest {

    private final Clock clock = Clock.fixed(Instant.parse("2026-03-01T10:00:00Z"), ZoneOffset.UTC);
    private final RecordingSink sink = new RecordingSink();
    private final List<KeywardEvent> published = sink.published;
    private final VerificationEvents events = new VerificationEvents("/keyward/test", sink, 100, clock);
    private final String key = ApiKeyFormat.generate(ApiKeyFormat.Environment.PROD, TokenKind.REPO);
    private final RequestAuthorizer authorizer = new RequestAuthorizer(VerifierSettings.defaults().build(
            k -> CompletableFuture.completedFuture(k.equals(key)
                    ? new Introspection(true, null, "tok_9", "acme", "user-1", "repo", "prod",
                    Map.of("repos:team/*", List.of("git:read")), ApiKeyFormat.prefixOf(k), null, List.of())
                    : Introspection.inactive("revoked")),
            org -> CompletableFuture.completedFuture(List.of()), clock), events);

    @AfterEach
    void close() {
        events.close();
    }

    private RequestAuthorizer.Decision decide(String token, Access access) {
        return authorizer.authorize(PresentedCredential.extract(token == null ? null : "Bearer " + token, null), "10.0.0.1", access)
                .toCompletableFuture().join();
    }

    @Test
    void allowedUseEmitsTokenUsedWithoutTheSecret() {
        RequestAuthorizer.Decision d = decide(key, Access.repoOf("acme", Permission.GIT_READ, "team/app"));
        assertThat(d.allowed()).isTrue();
        events.close();
        assertThat(published).hasSize(1);
        KeywardEvent e = published.get(0);
        assertThat(e.type()).isEqualTo(EventType.TOKEN_USED);
        assertThat(e.subject()).isEqualTo("tok_9");
        assertThat(e.data().outcome()).isEqualTo("success");
        assertThat(e.data().repo()).isEqualTo("team/app");
        assertThat(e.data().operation()).isEqualTo("git:read");
        assertThat(e.data().clientIp()).isEqualTo("10.0.0.1");
        assertThat(e.data().keyPrefix()).isEqualTo(ApiKeyFormat.prefixOf(key));
        assertThat(EventCodec.toJson(e)).doesNotContain(key);
    }

    @Test
    void scopeAndOrgDenialsAre403WithDeniedUse() {
        assertThat(decide(key, Access.repoOf("acme", Permission.GIT_WRITE, "team/app")).refusal().reason()).isEqualTo(RefusalReason.SCOPE);
        assertThat(decide(key, Access.repoOf("acme", Permission.GIT_READ, "other/x")).refusal().reason()).isEqualTo(RefusalReason.SCOPE);
        assertThat(decide(key, Access.repoOf("globex", Permission.GIT_READ, "team/app")).refusal().reason()).isEqualTo(RefusalReason.WRONG_ORG);
        assertThat(decide(key, Access.org(Permission.ORG_READ)).refusal().reason()).isEqualTo(RefusalReason.SCOPE);
        events.close();
        assertThat(published).hasSize(4).allSatisfy(e -> {
            assertThat(e.type()).isEqualTo(EventType.TOKEN_USED);
            assertThat(e.data().outcome()).isEqualTo("denied");
        });
        assertThat(RefusalReason.SCOPE.httpStatus()).isEqualTo(403);
    }

    /** An allowed push is reported once it is over, with its refs; a denied one at once. */
    @Test
    void aPushIsReportedWithItsRefsOnceItIsOver() {
        RequestAuthorizer writable = new RequestAuthorizer(VerifierSettings.defaults().build(
                k -> CompletableFuture.completedFuture(new Introspection(true, null, "tok_w", "acme", "user-1", "repo", "prod",
                        Map.of("repos:team/*", List.of("git:read", "git:write")), ApiKeyFormat.prefixOf(k), null, List.of())),
                org -> CompletableFuture.completedFuture(List.of()), clock), events);
        Access push = Access.pushTo("acme", "team/app");
        RequestAuthorizer.Decision allowed = writable.authorize(PresentedCredential.extract("Bearer " + key, null), "10.0.0.1", push)
                .toCompletableFuture().join();
        assertThat(allowed.allowed()).isTrue();
        assertThat(decide(key, Access.pushTo("acme", "team/app")).refusal().reason()).as("a read-only key").isEqualTo(RefusalReason.SCOPE);
        writable.reportPush(allowed.principal(), push, "10.0.0.1",
                List.of(new UseEvents.RefUpdate("refs/heads/main", "1".repeat(40), "2".repeat(40))), null);
        events.close();

        assertThat(published).hasSize(2).allSatisfy(e -> {
            assertThat(e.type()).isEqualTo(EventType.TOKEN_USED);
            assertThat(e.data().operation()).isEqualTo("git:write");
            assertThat(e.data().attributes()).containsKey("refs");
        });
        assertThat(published.get(0).data().outcome()).isEqualTo("denied");
        assertThat(published.get(0).data().attributes().get("refs")).isEqualTo(List.of());
        assertThat(published.get(1).subject()).isEqualTo("tok_w");
        assertThat(published.get(1).data().outcome()).isEqualTo("success");
        assertThat(published.get(1).data().attributes().get("refs"))
                .isEqualTo(List.of(Map.of("name", "refs/heads/main", "old", "1".repeat(40), "new", "2".repeat(40))));
    }

    @Test
    void refusedCredentialsEmitAuthFailedButAnonymousRequestsDoNot() {
        String revoked = ApiKeyFormat.generate(ApiKeyFormat.Environment.PROD, TokenKind.ORG);
        assertThat(decide(revoked, Access.repoOf("acme", Permission.GIT_READ, "team/app")).refusal().reason()).isEqualTo(RefusalReason.REVOKED);
        assertThat(decide(null, Access.repoOf("acme", Permission.GIT_READ, "team/app")).refusal().reason()).isEqualTo(RefusalReason.MISSING);
        events.close();
        assertThat(published).hasSize(1);
        KeywardEvent e = published.get(0);
        assertThat(e.type()).isEqualTo(EventType.AUTH_FAILED);
        assertThat(e.data().reason()).isEqualTo("revoked");
        assertThat(e.data().org()).as("org from the URL").isEqualTo("acme");
        assertThat(e.data().keyPrefix()).isEqualTo(ApiKeyFormat.prefixOf(revoked));
        assertThat(EventCodec.toJson(e)).doesNotContain(revoked);
    }

    @Test
    void aFullBufferDropsInsteadOfBlocking() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        VerificationEvents slow = new VerificationEvents("/keyward/test", (e, failures) -> release.await(10, TimeUnit.SECONDS), 2, clock);
        try {
            Verification.Refused r = Verification.refused(RefusalReason.UNKNOWN, "x");
            long start = System.nanoTime();
            for (int i = 0; i < 10; i++) {
                slow.authFailed(r, "git:read", null, "10.0.0.1", "acme");
            }
            // Blocking on the sink would take 10 s (its wait); the margin below holds on a busy 2-core machine.
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(5000);
            assertThat(slow.dropped()).isGreaterThanOrEqualTo(7);
        } finally {
            release.countDown();
            slow.close();
        }
    }
}
