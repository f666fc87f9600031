package dev.keyward.verification.quarkus;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyward.contract.OrgRules;
import dev.keyward.events.EventCodec;
import dev.keyward.events.EventData;
import dev.keyward.events.EventType;
import dev.keyward.events.KeywardEvent;
import dev.keyward.verification.OrgRulesCache;
import dev.keyward.verification.RequestRateLimiter;
import dev.keyward.verification.VerifierSettings;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class RevocationListenerTest {

    private static byte[] wire(EventType type) {
        EventData data = EventData.forOrg("acme").actor("tok_1").keyPrefix("kw_prod_r_ab").outcome("success").build();
        return EventCodec.toJson(KeywardEvent.of("/keyward/test", type, Instant.now(), "tok_1", data))
                .getBytes(StandardCharsets.UTF_8);
    }

    /** A listener over a verifier with these org rules and no other source. */
    private static RevocationListener listenerOver(OrgRulesCache orgs) {
        return new RevocationListener(VerifierSettings.defaults().build(
                key -> CompletableFuture.failedFuture(new IllegalStateException()),
                org -> CompletableFuture.completedFuture(List.of()),
                Clock.systemUTC(), RequestRateLimiter.unlimited(), orgs));
    }

    @Test
    void orgEventsChangeTheVerifiersOrgStateAtOnce() {
        OrgRulesCache orgs = new OrgRulesCache(
                () -> new CompletableFuture<>()); // the full read never answers: only the events count
        RevocationListener listener = listenerOver(orgs);
        {
            assertThat(orgs.of("acme").refused()).isFalse();
            listener.handle(new String(wire(EventType.ORG_SUSPENDED), StandardCharsets.UTF_8));
            assertThat(orgs.of("acme").refused()).isTrue();
            assertThat(orgs.of("other").refused()).isFalse();
            listener.handle(new String(wire(EventType.ORG_RESUMED), StandardCharsets.UTF_8));
            assertThat(orgs.of("acme").refused()).isFalse();
            listener.handle(new String(wire(EventType.ORG_DELETED), StandardCharsets.UTF_8));
            assertThat(orgs.of("acme").state()).isEqualTo(OrgRules.DELETED);
        }
    }

    private static String event(EventType type, String subject, Map<String, Object> attributes) {
        EventData data = EventData.forOrg("acme").actor("usr_admin").outcome("success").attributes(attributes).build();
        return EventCodec.toJson(KeywardEvent.of("/keyward/token-service", type, Instant.now(), subject, data));
    }

    /** A trust policy's change as token-service writes it: before and after, null for a side that does not exist. */
    private static Map<String, Object> change(Object before, Object after) {
        Map<String, Object> change = new LinkedHashMap<>();
        change.put("before", before);
        change.put("after", after);
        return change;
    }

    @Test
    void revokingAnExchangedTokenOrDeletingItsTrustPolicyReachesTheOrgsRulesAtOnce() {
        OrgRulesCache orgs = new OrgRulesCache(
                () -> new CompletableFuture<>()); // the full read never answers: only the events count
        RevocationListener listener = listenerOver(orgs);

        listener.handle(event(EventType.TOKEN_REVOKED, "tok_api", null));
        assertThat(orgs.of("acme").revokedTokens()).as("an API key's revocation is introspection's business").isEmpty();
        listener.handle(event(EventType.TOKEN_REVOKED, "xtok_one", null));
        assertThat(orgs.of("acme").revokesExchange("tp_any", "xtok_one")).isTrue();
        assertThat(orgs.of("acme").revokesExchange("tp_any", "xtok_two")).isFalse();
        assertThat(orgs.of("globex").revokedTokens()).isEmpty();

        Map<String, Object> policy = Map.of("name", "deploy", "issuer", "https://token.actions.githubusercontent.com");
        listener.handle(event(EventType.POLICY_CHANGED, "acme", Map.of("what", "trust_policy",
                "changes", Map.of("tp:tp_created1", change(null, policy)))));
        assertThat(orgs.of("acme").revokedTrustPolicies()).as("a created policy revokes nothing").isEmpty();
        listener.handle(event(EventType.POLICY_CHANGED, "acme", Map.of("what", "policy",
                "changes", Map.of("tp:tp_other", change(1, null)))));
        assertThat(orgs.of("acme").revokedTrustPolicies()).as("another kind of policy change").isEmpty();
        listener.handle(event(EventType.POLICY_CHANGED, "acme", Map.of("what", "trust_policy",
                "changes", Map.of("tp:tp_deleted1", change(policy, null), "tp:tp_deleted2", change(policy, null)))));
        assertThat(orgs.of("acme").revokedTrustPolicies()).containsExactlyInAnyOrder("tp_deleted1", "tp_deleted2");
        assertThat(orgs.of("acme").revokesExchange("tp_deleted1", "xtok_any")).isTrue();
        assertThat(orgs.of("acme").revokesExchange("tp_any", "xtok_one")).as("the earlier revocation stays").isTrue();
    }
}
