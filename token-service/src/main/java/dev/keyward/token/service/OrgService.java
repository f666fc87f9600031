package dev.keyward.token.service;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyward.contract.ApiException;
import dev.keyward.contract.OrgRules;
import dev.keyward.contract.Permission;
import dev.keyward.events.EventType;
import dev.keyward.events.KeywardEvent;
import dev.keyward.token.domain.Caller;
import dev.keyward.token.domain.OrgIds;
import dev.keyward.token.domain.OrgPolicy;
import dev.keyward.token.exchange.ExchangeSettings;
import dev.keyward.token.exchange.WorkloadTokenVerifier;
import dev.keyward.token.notify.WebhookTarget;
import dev.keyward.token.notify.WebhookTargets;
import dev.keyward.token.outbox.OutboxRelay;
import dev.keyward.token.repository.ExchangedTokenEntity;
import dev.keyward.token.repository.ExchangedTokenRepository;
import dev.keyward.token.repository.OrgEntity;
import dev.keyward.token.repository.OrgRepository;
import dev.keyward.token.repository.TokenEntity;
import dev.keyward.token.repository.TokenRepository;
import dev.keyward.token.repository.TrustPolicyEntity;
import dev.keyward.token.repository.TrustPolicyRepository;
import dev.keyward.verification.TokenVerifier;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Orgs: created, suspended, resumed and deleted by platform operators; their policy read and
 * changed by their own admins ({@code org:admin}) within the operators' caps. Every change commits
 * with its event in the outbox. A state change is also applied to this replica's verifier at once;
 * the other services hear it through the event, as they hear revocations.
 */
@ApplicationScoped
public class OrgService {

    private final OrgRepository orgs;
    private final TokenRepository tokens;
    private final TokenService tokenService;
    private final EventOutbox outbox;
    private final OutboxRelay relay;
    private final TokenVerifier verifier;
    private final Clock clock;
    private final double defaultProdRate;
    private final double defaultDevRate;
    private final WebhookTargets webhookTargets;
    private final Vertx vertx;
    private final TrustPolicyRepository trustPolicies;
    private final ExchangedTokenRepository exchangedTokens;

    public OrgService(OrgRepository orgs, TokenRepository tokens, TokenService tokenService, EventOutbox outbox,
                      OutboxRelay relay, TokenVerifier verifier, Clock clock, WebhookTargets webhookTargets, Vertx vertx,
                      TrustPolicyRepository trustPolicies, ExchangedTokenRepository exchangedTokens,
                      @ConfigProperty(name = "keyward.rate-limit.prod.per-second", defaultValue = "100") double defaultProdRate,
                      @ConfigProperty(name = "keyward.rate-limit.dev.per-second", defaultValue = "10") double defaultDevRate) {
        this.orgs = orgs;
        this.trustPolicies = trustPolicies;
        this.exchangedTokens = exchangedTokens;
        this.webhookTargets = webhookTargets;
        this.vertx = vertx;
        this.tokens = tokens;
        this.tokenService = tokenService;
        this.outbox = outbox;
        this.relay = relay;
        this.verifier = verifier;
        this.clock = clock;
        this.defaultProdRate = defaultProdRate;
        this.defaultDevRate = defaultDevRate;
    }

    /** A new org; with {@code adminToken}, also its first admin key (returned once). */
    public record NewOrg(String id, String name, String contactEmail, boolean adminToken) {
    }

    /** An org just created, and its first admin key when one was asked for. */
    public record CreatedOrg(OrgEntity org, IssuedToken adminToken) {
    }

    /** Operators only. 409 when the id is taken (deleted orgs keep theirs: their trail still names it). */
    public Uni<CreatedOrg> create(Caller caller, NewOrg request) {
        requireOperator(caller, Permission.ORGS_WRITE);
        String id = OrgIds.checkNew(request.id());
        String name = request.name() == null ? id : request.name().strip();
        if (name.isEmpty() || name.length() > 100 || name.codePoints().anyMatch(Character::isISOControl)) {
            throw ApiException.invalid("name must be 1-100 characters without control characters");
        }
        OrgIds.checkEmail("contact_email", request.contactEmail());
        Instant now = now();
        return committed(() -> orgs.insertIfAbsent(id).flatMap(created -> {
            if (!created) {
                throw ApiException.conflict("org_exists", "an org with id '" + id + "' exists or existed");
            }
            return orgs.lockById(id);
        }).flatMap(org -> {
            org.name = name;
            org.contactEmail = request.contactEmail();
            org.stateChangedAt = now;
            Uni<IssuedToken> admin = request.adminToken()
                    ? tokenService.issueFirstAdminKey(org, caller, now)
                    : Uni.createFrom().nullItem();
            return admin.call(() -> outbox.append(OrgEvents.created(caller, id, name, now)))
                    .map(key -> new CreatedOrg(org, key));
        }));
    }

    /** Operators see every org but deleted ones; an org admin sees their own. */
    public Uni<List<OrgEntity>> list(Caller caller) {
        if (isOperator(caller)) {
            return Panache.withSession(() -> orgs.list("state <> ?1 and id <> ?2 order by id", OrgRules.DELETED, OrgIds.PLATFORM));
        }
        requireOrgAdmin(caller, caller.org());
        return get(caller, caller.org()).map(List::of);
    }

    public Uni<OrgEntity> get(Caller caller, String org) {
        if (!isOperator(caller)) {
            requireOrgAdmin(caller, org);
        }
        return Panache.withSession(() -> orgs.findById(org)).map(OrgService::visible);
    }

    public Uni<OrgEntity> suspend(Caller caller, String org) {
        return changeState(caller, org, OrgRules.SUSPENDED, EventType.ORG_SUSPENDED);
    }

    public Uni<OrgEntity> resume(Caller caller, String org) {
        return changeState(caller, org, OrgRules.ACTIVE, EventType.ORG_RESUMED);
    }

    private Uni<OrgEntity> changeState(Caller caller, String org, String state, EventType type) {
        requireOperator(caller, Permission.ORGS_WRITE);
        Instant now = now();
        return committed(() -> orgs.lockById(org).flatMap(found -> {
            OrgEntity entity = visible(found);
            if (state.equals(entity.state)) {
                return Uni.createFrom().item(entity);
            }
            entity.state = state;
            entity.stateChangedAt = now;
            return outbox.append(OrgEvents.stateChanged(type, caller, org, Map.of("name", entity.name), now)).replaceWith(entity);
        })).invoke(entity -> verifier.orgs().stateChanged(org, state));
    }

    /**
     * Deletes an org: every live token revoked (one {@code token:revoked} each), customer keys
     * removed, the org gone from listings, then {@code org:deleted}, on which repo-service removes
     * its repositories. The audit trail keeps everything.
     */
    public Uni<Integer> delete(Caller caller, String org) {
        requireOperator(caller, Permission.ORGS_WRITE);
        Instant now = now();
        return committed(() -> orgs.lockById(org).flatMap(found -> {
            OrgEntity entity = visible(found);
            entity.state = OrgRules.DELETED;
            entity.stateChangedAt = now;
            return tokens.unrevokedInOrg(org).flatMap(live -> {
                Uni<Void> events = Uni.createFrom().voidItem();
                for (TokenEntity token : live) {
                    token.revokedAt = now;
                    events = events.chain(() -> outbox.append(TokenEvents.revoked(caller, token, now)));
                }
                entity.liveTokens = 0;
                return events
                        .call(() -> orgs.getSession().flatMap(s -> s.createNativeQuery(
                                "delete from creator_live_tokens where org_id = ?1").setParameter(1, org).executeUpdate()))
                        .call(() -> orgs.getSession().flatMap(s -> s.createNativeQuery(
                                "delete from customer_public_keys where org_id = ?1").setParameter(1, org).executeUpdate()))
                        .call(() -> outbox.append(OrgEvents.stateChanged(EventType.ORG_DELETED, caller, org,
                                Map.of("name", entity.name, "revoked_tokens", live.size()), now)))
                        .replaceWith(live.size());
            });
        })).invoke(ignored -> verifier.orgs().stateChanged(org, OrgRules.DELETED));
    }

    /** The org's policy, for its admins and operators. */
    public Uni<OrgEntity> policyHolder(Caller caller, String org) {
        return get(caller, org);
    }

    /** The wire form of an org's policy. */
    public Map<String, Object> policyView(OrgEntity org) {
        return org.policy().toWire(defaultProdRate, defaultDevRate);
    }

    /** Applies a {@code PATCH} of the policy; {@code policy:changed} names each changed field before and after. */
    public Uni<OrgEntity> patchPolicy(Caller caller, String org, JsonNode patch) {
        boolean operator = isOperator(caller);
        if (operator) {
            requireOperator(caller, Permission.ORGS_WRITE);
        } else {
            requireOrgAdmin(caller, org);
        }
        Instant now = now();
        return committed(() -> orgs.lockById(org).flatMap(found -> {
            OrgEntity entity = visible(found);
            OrgPolicy before = entity.policy();
            OrgPolicy after = before.patched(patch, operator);
            entity.policy(after);
            KeywardEvent event = OrgEvents.policyChanged(caller, org, "policy",
                    before.toWire(defaultProdRate, defaultDevRate), after.toWire(defaultProdRate, defaultDevRate), now);
            return event == null ? Uni.createFrom().item(entity) : outbox.append(event).replaceWith(entity);
        })).invoke(ignored -> verifier.orgs().refresh());
    }

    /** The notification settings as the API shows them: the webhook secret only as whether one is set. */
    public static Map<String, Object> notificationsView(OrgEntity org) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("contact_email", org.contactEmail);
        view.put("webhook_url", org.webhookUrl);
        view.put("webhook_secret_set", org.webhookSecret != null);
        return view;
    }

    /**
     * Replaces the notification settings. {@code webhookUrl} must pass the SSRF rules
     * ({@link WebhookTargets}; 422 {@code unsafe_webhook_url}); a webhook needs a secret, old or new.
     * {@code secret}: absent ({@code secretGiven} false) keeps the current one, null removes it.
     */
    public Uni<OrgEntity> putNotifications(Caller caller, String org, String contactEmail, String webhookUrl,
                                           boolean secretGiven, String secret) {
        requireOrgAdmin(caller, org);
        OrgIds.checkEmail("contact_email", contactEmail);
        if (secretGiven && secret != null && (secret.length() < 16 || secret.length() > 200)) {
            throw ApiException.invalid("webhook_secret must be 16-200 characters");
        }
        // The check resolves the host name (blocking): on a worker, back on this context after.
        Uni<String> checked = webhookUrl == null ? Uni.createFrom().nullItem()
                : vertx.executeBlocking(Uni.createFrom().item(() -> {
                    try {
                        return webhookTargets.checkTarget(webhookUrl).toString();
                    } catch (WebhookTarget.UnsafeUrl e) {
                        throw new ApiException(422, "unsafe_webhook_url", e.getMessage());
                    }
                }));
        return checked.flatMap(safeUrl -> storeNotifications(caller, org, contactEmail, safeUrl, secretGiven, secret));
    }

    private Uni<OrgEntity> storeNotifications(Caller caller, String org, String contactEmail, String webhookUrl,
                                              boolean secretGiven, String secret) {
        Instant now = now();
        return committed(() -> orgs.lockById(org).flatMap(found -> {
            OrgEntity entity = visible(found);
            Map<String, Object> before = notificationsView(entity);
            String newSecret = secretGiven ? secret : entity.webhookSecret;
            if (webhookUrl != null && newSecret == null) {
                throw ApiException.invalid("webhook_secret is required with webhook_url (deliveries are signed with it)");
            }
            boolean secretChanged = secretGiven && !java.util.Objects.equals(secret, entity.webhookSecret);
            entity.contactEmail = contactEmail;
            entity.webhookUrl = webhookUrl;
            entity.webhookSecret = newSecret;
            Map<String, Object> after = notificationsView(entity);
            if (secretChanged && newSecret != null && before.get("webhook_secret_set").equals(Boolean.TRUE)) {
                // Never the value: only that it changed.
                before.put("webhook_secret_set", "(previous secret)");
                after.put("webhook_secret_set", "(new secret)");
            }
            KeywardEvent event = OrgEvents.policyChanged(caller, org, "notifications", before, after, now);
            return event == null ? Uni.createFrom().item(entity) : outbox.append(event).replaceWith(entity);
        }));
    }

    /** Every org's rules for the verifiers ({@code GET /internal/orgs/rules}); the platform org has none. */
    public Uni<Map<String, OrgRules>> rules() {
        Instant now = clock.instant();
        // Exchanged tokens live at most their policy's max_ttl (60 s skew on top): revocations older than that are moot.
        Instant skew = now.minusSeconds(WorkloadTokenVerifier.SKEW_SECONDS);
        return Panache.withSession(() -> orgs.list("id <> ?1", OrgIds.PLATFORM)
                .flatMap(all -> trustPolicies.deletedSince(skew.minusSeconds(ExchangeSettings.LONGEST_TTL_SECONDS))
                        .flatMap(deleted -> exchangedTokens.revokedAliveAt(skew)
                                .map(revoked -> rules(all, deleted, revoked, skew)))));
    }

    private Map<String, OrgRules> rules(List<OrgEntity> all, List<TrustPolicyEntity> deleted, List<ExchangedTokenEntity> revoked,
                                        Instant skew) {
        Map<String, Set<String>> deletedByOrg = new HashMap<>();
        for (TrustPolicyEntity p : deleted) {
            if (p.deletedAt.plusSeconds(p.maxTtlSeconds).isAfter(skew)) {
                deletedByOrg.computeIfAbsent(p.orgId, o -> new HashSet<>()).add(p.id);
            }
        }
        Map<String, Set<String>> revokedByOrg = new HashMap<>();
        for (ExchangedTokenEntity t : revoked) {
            revokedByOrg.computeIfAbsent(t.orgId, o -> new HashSet<>()).add(t.jti);
        }
        Map<String, OrgRules> rules = new LinkedHashMap<>();
        for (OrgEntity o : all) {
            OrgRules.RateLimits rates = o.rateLimitProd == null && o.rateLimitDev == null ? null
                    : new OrgRules.RateLimits(o.rateLimitProd == null ? defaultProdRate : o.rateLimitProd,
                    o.rateLimitDev == null ? defaultDevRate : o.rateLimitDev);
            rules.put(o.id, new OrgRules(o.state, rates, o.maxJwtLifetimeSeconds, o.noticeDays,
                    deletedByOrg.getOrDefault(o.id, Set.of()), revokedByOrg.getOrDefault(o.id, Set.of())));
        }
        return rules;
    }

    /** Whether the caller is a platform operator (a platform key, or a person with the operator role). */
    public static boolean isOperator(Caller caller) {
        return OrgIds.PLATFORM.equals(caller.org()) && caller.scopes().allowsOrg(Permission.ORGS_READ);
    }

    private static void requireOperator(Caller caller, Permission permission) {
        if (!isOperator(caller) || !caller.scopes().allowsOrg(permission)) {
            throw ApiException.forbidden("this call is for platform operators (" + permission.wireName() + ")");
        }
    }

    /** An org's own admin ({@code org:admin} in that org); 404 for any other org, so ids do not leak. */
    public static void requireOrgAdmin(Caller caller, String org) {
        if (!caller.org().equals(org)) {
            throw ApiException.notFound("no org '" + safe(org) + "'");
        }
        if (!caller.scopes().allowsOrg(Permission.ORG_ADMIN)) {
            throw ApiException.forbidden("this call needs org:admin");
        }
    }

    private static OrgEntity visible(OrgEntity org) {
        if (org == null || OrgRules.DELETED.equals(org.state) || OrgIds.PLATFORM.equals(org.id)) {
            throw ApiException.notFound("no such org");
        }
        return org;
    }

    private static String safe(String org) {
        return org != null && org.matches("[A-Za-z0-9_-]{1,63}") ? org : "(that id)";
    }

    private <T> Uni<T> committed(Supplier<Uni<T>> work) {
        return Panache.withTransaction(work).invoke(ignored -> relay.wakeUp());
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }
}
