package dev.keyward.token.service;

import dev.keyward.contract.ApiException;
import dev.keyward.contract.ExchangedToken;
import dev.keyward.events.KeywardEvent;
import dev.keyward.token.domain.Caller;
import dev.keyward.token.domain.TrustPolicyRules;
import dev.keyward.token.exchange.ExchangeSettings;
import dev.keyward.token.notify.WebhookTarget;
import dev.keyward.token.outbox.OutboxRelay;
import dev.keyward.token.repository.OrgRepository;
import dev.keyward.token.repository.TrustPolicyEntity;
import dev.keyward.token.repository.TrustPolicyRepository;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An org's trust policies (SPEC "Secretless CI"), managed by its admins. A policy's scopes obey the
 * subset rule of whoever creates it; its issuer must pass the webhook address rules. Each change is
 * a {@code policy:changed} event ({@code what: trust_policy}); a deletion is what makes every
 * verifier refuse the policy's tokens.
 */
@ApplicationScoped
public class TrustPolicyService {

    private final TrustPolicyRepository policies;
    private final OrgRepository orgs;
    private final EventOutbox outbox;
    private final OutboxRelay relay;
    private final ExchangeSettings settings;
    private final Vertx vertx;
    private final Clock clock;

    public TrustPolicyService(TrustPolicyRepository policies, OrgRepository orgs, EventOutbox outbox, OutboxRelay relay,
                              ExchangeSettings settings, Vertx vertx, Clock clock) {
        this.policies = policies;
        this.orgs = orgs;
        this.outbox = outbox;
        this.relay = relay;
        this.settings = settings;
        this.vertx = vertx;
        this.clock = clock;
    }

    /** A policy to create, as the request named it. */
    public record NewTrustPolicy(String name, String issuer, String audience, String subject, Map<String, String> claims,
                                 Map<String, ? extends Collection<String>> scopes, Long maxTtl) {
    }

    public Uni<TrustPolicyEntity> create(Caller caller, String org, NewTrustPolicy request) {
        OrgService.requireOrgAdmin(caller, org);
        TrustPolicyRules.Checked checked = TrustPolicyRules.check(request.name(), request.issuer(), request.audience(),
                request.subject(), request.claims(), request.scopes(), request.maxTtl(), settings.maxTtlCapSeconds());
        List<String> excess = checked.scopes().excessOver(caller.scopes());
        if (!excess.isEmpty()) {
            KeywardEvent event = TokenEvents.escalated(caller, "trust_policy:create", null, checked.scopes().toWire(), excess,
                    now());
            return Panache.withTransaction(() -> outbox.append(event)).invoke(ignored -> relay.wakeUp())
                    .flatMap(ignored -> Uni.createFrom().failure(new ApiException(403, "scope_escalation",
                            "the policy's scopes exceed the caller's own: " + String.join(", ", excess),
                            Map.of("excess", excess))));
        }
        // The check resolves the issuer's host name (blocking): on a worker, back on this context after.
        return vertx.executeBlocking(Uni.createFrom().item(() -> {
            try {
                WebhookTarget.check(checked.issuer(), settings.issuerRules(), WebhookTarget.Resolver.SYSTEM);
                return checked;
            } catch (WebhookTarget.UnsafeUrl e) {
                throw new ApiException(422, "unsafe_issuer", e.messageFor("issuer"));
            }
        })).flatMap(ok -> Panache.withTransaction(() -> orgs.findById(org).flatMap(found -> {
            if (found == null) {
                throw ApiException.notFound("org not found");
            }
            TrustPolicyEntity row = new TrustPolicyEntity();
            row.id = ExchangedToken.newTrustPolicyId();
            row.orgId = org;
            row.name = checked.name();
            row.issuer = checked.issuer();
            row.audience = checked.audience();
            row.subject = checked.subject();
            row.claims = checked.claims();
            row.scopes = checked.scopes();
            row.maxTtlSeconds = checked.maxTtlSeconds();
            row.createdAt = now();
            row.createdBy = caller.actor();
            return policies.persist(row).call(() -> outbox.append(changed(caller, row, false))).replaceWith(row);
        }))).invoke(ignored -> relay.wakeUp());
    }

    public Uni<List<TrustPolicyEntity>> list(Caller caller, String org) {
        OrgService.requireOrgAdmin(caller, org);
        return Panache.withSession(() -> policies.liveOf(org));
    }

    public Uni<TrustPolicyEntity> get(Caller caller, String org, String id) {
        OrgService.requireOrgAdmin(caller, org);
        return Panache.withSession(() -> policies.findLive(org, id)).invoke(found -> {
            if (found == null) {
                throw ApiException.notFound("no trust policy with this id in this org");
            }
        });
    }

    /** Deletes a policy: from now on every verifier refuses the tokens it allowed. */
    public Uni<TrustPolicyEntity> delete(Caller caller, String org, String id) {
        OrgService.requireOrgAdmin(caller, org);
        return Panache.withTransaction(() -> policies.findLive(org, id).flatMap(row -> {
            if (row == null) {
                throw ApiException.notFound("no trust policy with this id in this org");
            }
            row.deletedAt = now();
            return outbox.append(changed(caller, row, true)).replaceWith(row);
        })).invoke(ignored -> relay.wakeUp());
    }

    /** {@code policy:changed}, {@code what: trust_policy}: {@code tp:<id>} from absent to its name, or back. */
    private KeywardEvent changed(Caller caller, TrustPolicyEntity row, boolean deleted) {
        Map<String, Object> was = new HashMap<>();
        Map<String, Object> is = new HashMap<>();
        was.put("tp:" + row.id, deleted ? row.name : null);
        is.put("tp:" + row.id, deleted ? null : row.name);
        return OrgEvents.policyChanged(caller, row.orgId, "trust_policy", was, is, now());
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }
}
