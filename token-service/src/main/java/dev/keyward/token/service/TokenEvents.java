package dev.keyward.token.service;

import dev.keyward.events.EventData;
import dev.keyward.events.EventType;
import dev.keyward.events.KeywardEvent;
import dev.keyward.token.domain.Caller;
import dev.keyward.token.repository.ExchangedTokenEntity;
import dev.keyward.token.repository.TokenEntity;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The events token-service emits. They carry key prefixes only, never a key. */
public final class TokenEvents {

    static final String SOURCE = "/keyward/token-service";
    static final String SYSTEM_ACTOR = "system";

    private TokenEvents() {
    }

    static KeywardEvent created(Caller caller, TokenEntity token, Instant now) {
        Map<String, Object> attributes = describe(token);
        return KeywardEvent.of(SOURCE, EventType.TOKEN_CREATED, now, token.id,
                data(caller, token.orgId, token.keyPrefix, "token:create", "success").attributes(attributes).build());
    }

    static KeywardEvent revoked(Caller caller, TokenEntity token, Instant now) {
        return KeywardEvent.of(SOURCE, EventType.TOKEN_REVOKED, now, token.id,
                data(caller, token.orgId, token.keyPrefix, "token:revoke", "success")
                        .attributes(Map.of("name", token.name)).build());
    }

    /** A token revoked because a token up its creation chain ({@code cascadeRoot}) was revoked with {@code cascade}. */
    static KeywardEvent revokedWith(Caller caller, TokenEntity token, String cascadeRoot, Instant now) {
        if (token.id.equals(cascadeRoot)) {
            return revoked(caller, token, now);
        }
        return KeywardEvent.of(SOURCE, EventType.TOKEN_REVOKED, now, token.id,
                data(caller, token.orgId, token.keyPrefix, "token:revoke", "success")
                        .attributes(Map.of("name", token.name, "cascade_root", cascadeRoot)).build());
    }

    static KeywardEvent rotated(Caller caller, TokenEntity token, Instant graceUntil, Instant now) {
        return KeywardEvent.of(SOURCE, EventType.TOKEN_ROTATED, now, token.id,
                data(caller, token.orgId, token.keyPrefix, "token:rotate", "success")
                        .attributes(Map.of("previous_key_prefix", token.previousKeyPrefix,
                                "grace_until", graceUntil.toString(), "name", token.name))
                        .build());
    }

    /**
     * {@code token:exchanged}: a workload's OIDC token became a Keyward token. Names the workload
     * (issuer, subject, the claims that matched) so the trail shows which CI job holds which token.
     */
    static KeywardEvent exchanged(ExchangedTokenEntity token, Map<String, Object> matchedClaims, String clientIp) {
        Map<String, Object> attributes = new LinkedHashMap<>();
        attributes.put("issuer", token.issuer);
        attributes.put("subject", token.subject);
        attributes.put("trust_policy", token.trustPolicyId);
        attributes.put("claims", matchedClaims);
        attributes.put("scopes", token.scopes.toWire());
        attributes.put("expires_at", token.expiresAt.toString());
        return KeywardEvent.of(SOURCE, EventType.TOKEN_EXCHANGED, token.createdAt, token.jti,
                EventData.forOrg(token.orgId).actor(token.subject).clientIp(clientIp).operation("token:exchange")
                        .outcome("success").attributes(attributes).build());
    }

    /** {@code token:revoked} of an exchanged token: its subject is the jti, which verifiers refuse from then on. */
    static KeywardEvent revokedExchange(Caller caller, ExchangedTokenEntity token, Instant now) {
        return KeywardEvent.of(SOURCE, EventType.TOKEN_REVOKED, now, token.jti,
                data(caller, token.orgId, null, "token:revoke", "success")
                        .attributes(Map.of("trust_policy", token.trustPolicyId, "subject", token.subject)).build());
    }

    static KeywardEvent escalated(Caller caller, String operation, String subject,
                                  Map<String, List<String>> requested, List<String> excess, Instant now) {
        return KeywardEvent.of(SOURCE, EventType.SCOPE_ESCALATED, now, subject,
                data(caller, caller.org(), caller.keyPrefix(), operation, "denied")
                        .reason("scope_escalation")
                        .attributes(Map.of("requested_scopes", requested, "excess", excess))
                        .build());
    }

    /** A create or rotate refused because the token would reach addresses outside the caller's {@code allowed_cidrs}. */
    static KeywardEvent cidrEscalated(Caller caller, String operation, String subject, List<String> requested,
                                      List<String> excess, Instant now) {
        return KeywardEvent.of(SOURCE, EventType.SCOPE_ESCALATED, now, subject,
                data(caller, caller.org(), caller.keyPrefix(), operation, "denied")
                        .reason("cidr_escalation")
                        .attributes(Map.of("requested_cidrs", requested, "excess", excess))
                        .build());
    }

    /**
     * A live key of {@code token} was found exposed ({@code found}: where, and by whom). The event
     * is the org's of the key, whatever org the repository belongs to; {@code keyPrefix} is the
     * prefix of the key found (a rotated-away key's during its grace period).
     */
    static KeywardEvent leaked(TokenEntity token, String keyPrefix, LeakService.Place found, String leakAction,
                               boolean revoked, Instant now) {
        Map<String, Object> attributes = new HashMap<>();
        attributes.put("name", token.name);
        attributes.put("source", found.source());
        putIfPresent(attributes, "repo_org", found.repoOrg());
        putIfPresent(attributes, "commit", found.commit());
        putIfPresent(attributes, "path", found.path());
        putIfPresent(attributes, "line", found.line());
        putIfPresent(attributes, "url", found.url());
        putIfPresent(attributes, "reporter", found.reporter());
        putIfPresent(attributes, "report_type", found.reportType());
        putIfPresent(attributes, "report_source", found.reportSource());
        attributes.put("leak_action", leakAction);
        attributes.put("revoked", revoked);
        return KeywardEvent.of(SOURCE, EventType.TOKEN_LEAKED, now, token.id,
                EventData.forOrg(token.orgId).actor(found.actor()).keyPrefix(keyPrefix).repo(found.repo())
                        .operation("token:leak").outcome("success").attributes(attributes).build());
    }

    /** A token revoked because its key was found exposed ({@code token:leaked} comes first). */
    static KeywardEvent revokedForLeak(TokenEntity token, LeakService.Place found, Instant now) {
        return KeywardEvent.of(SOURCE, EventType.TOKEN_REVOKED, now, token.id,
                EventData.forOrg(token.orgId).actor(found.actor()).keyPrefix(token.keyPrefix)
                        .operation("token:revoke").outcome("success").reason("leaked")
                        .attributes(Map.of("name", token.name, "source", found.source())).build());
    }

    private static void putIfPresent(Map<String, Object> attributes, String name, Object value) {
        if (value != null) {
            attributes.put(name, value);
        }
    }

    /** The deprecation job's notice that a token will expire within the deprecation window. */
    public static KeywardEvent expiring(String tokenId, String org, String keyPrefix, String name, Instant expiresAt,
                                        Instant now) {
        return KeywardEvent.of(SOURCE, EventType.TOKEN_EXPIRING, now, tokenId,
                data(null, org, keyPrefix, "token:expiring", "success")
                        .attributes(Map.of("name", name, "expires_at", expiresAt.toString())).build());
    }

    /** The expiry job's record that a token reached its expiry. */
    public static KeywardEvent expired(String tokenId, String org, String keyPrefix, String name, Instant expiresAt,
                                       Instant now) {
        return KeywardEvent.of(SOURCE, EventType.TOKEN_EXPIRED, now, tokenId,
                data(null, org, keyPrefix, "token:expire", "success")
                        .attributes(Map.of("name", name, "expires_at", expiresAt.toString())).build());
    }

    private static Map<String, Object> describe(TokenEntity token) {
        Map<String, Object> attributes = new HashMap<>();
        attributes.put("name", token.name);
        attributes.put("kind", token.kind.wireName());
        attributes.put("environment", token.environment.wireName());
        attributes.put("scopes", token.scopes.toWire());
        attributes.put("expires_at", token.expiresAt == null ? "never" : token.expiresAt.toString());
        attributes.put("created_by", token.createdByUserId);
        if (token.createdByTokenPrefix != null) {
            attributes.put("created_by_key_prefix", token.createdByTokenPrefix);
        }
        return attributes;
    }

    private static EventData.Builder data(Caller caller, String org, String keyPrefix, String operation, String outcome) {
        return EventData.forOrg(org)
                .actor(caller == null ? SYSTEM_ACTOR : caller.actor())
                .clientIp(caller == null ? null : caller.clientIp())
                .keyPrefix(keyPrefix)
                .operation(operation)
                .outcome(outcome);
    }
}
