package dev.keyward.verification.quarkus;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyward.events.EventCodec;
import dev.keyward.events.EventData;
import dev.keyward.events.EventType;
import dev.keyward.events.KeywardEvent;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RevocationListenerTest {

    private static byte[] wire(EventType type) {
        EventData data = EventData.forOrg("acme").actor("tok_1").keyPrefix("kw_prod_r_ab").outcome("success").build();
        return EventCodec.toJson(KeywardEvent.of("/keyward/test", type, Instant.now(), "tok_1", data))
                .getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void orgEventsChangeTheVerifiersOrgStateAtOnce() {
        dev.keyward.verification.OrgRulesCache orgs = new dev.keyward.verification.OrgRulesCache(
                () -> new java.util.concurrent.CompletableFuture<>()); // the full read never answers: only the events count
        dev.keyward.verification.TokenVerifier verifier = dev.keyward.verification.VerifierSettings.defaults().build(
                key -> java.util.concurrent.CompletableFuture.failedFuture(new IllegalStateException()),
                org -> java.util.concurrent.CompletableFuture.completedFuture(java.util.List.of()),
                java.time.Clock.systemUTC(), dev.keyward.verification.RequestRateLimiter.unlimited(), orgs);
        RevocationListener listener = new RevocationListener(verifier);
        {
            assertThat(orgs.of("acme").refused()).isFalse();
            listener.handle(new String(wire(EventType.ORG_SUSPENDED), StandardCharsets.UTF_8));
            assertThat(orgs.of("acme").refused()).isTrue();
            assertThat(orgs.of("other").refused()).isFalse();
            listener.handle(new String(wire(EventType.ORG_RESUMED), StandardCharsets.UTF_8));
            assertThat(orgs.of("acme").refused()).isFalse();
            listener.handle(new String(wire(EventType.ORG_DELETED), StandardCharsets.UTF_8));
            assertThat(orgs.of("acme").state()).isEqualTo(dev.keyward.contract.OrgRules.DELETED);
        }
    }
}
