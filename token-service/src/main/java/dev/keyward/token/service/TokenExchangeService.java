package dev.keyward.token.service;

import dev.keyward.contract.ApiException;
import dev.keyward.contract.ExchangedToken;
import dev.keyward.contract.OrgRules;
import dev.keyward.contract.RefusalReason;
import dev.keyward.contract.Scopes;
import dev.keyward.token.domain.Caller;
import dev.keyward.token.domain.ClaimGlob;
import dev.keyward.token.domain.ExchangeScopes;
import dev.keyward.token.exchange.ExchangeRefusal;
import dev.keyward.token.exchange.ExchangeSettings;
import dev.keyward.token.exchange.WorkloadToken;
import dev.keyward.token.exchange.WorkloadTokenVerifier;
import dev.keyward.token.outbox.OutboxRelay;
import dev.keyward.token.repository.ExchangedTokenEntity;
import dev.keyward.token.repository.ExchangedTokenRepository;
import dev.keyward.token.repository.OrgRepository;
import dev.keyward.token.repository.TrustPolicyEntity;
import dev.keyward.token.repository.TrustPolicyRepository;
import dev.keyward.token.signing.ExchangedTokenSigner;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionException;

/**
 * Token exchange (RFC 8693, SPEC "Secretless CI"): a workload's OIDC token, verified against its
 * issuer, becomes a short-lived Keyward token when a live trust policy of the org accepts it. The
 * issued JWT is signed by Keyward; its row and its {@code token:exchanged} event commit together.
 */
@ApplicationScoped
public class TokenExchangeService {

    /** Claims a CI platform sets that say which job and repository a token belongs to: recorded when present. */
    private static final List<String> WORKLOAD_CONTEXT_CLAIMS = List.of("repository", "repository_owner", "ref", "ref_type",
            "sha", "workflow", "workflow_ref", "job_workflow_ref", "run_id", "run_attempt", "actor", "environment",
            "project_path", "namespace_path", "pipeline_id", "pipeline_source", "job_id", "runner_id",
            "azp", "client_id");

    private final TrustPolicyRepository policies;
    private final ExchangedTokenRepository exchanged;
    private final OrgRepository orgs;
    private final EventOutbox outbox;
    private final OutboxRelay relay;
    private final ExchangedTokenSigner signer;
    private final ExchangeSettings settings;
    private final Clock clock;

    public TokenExchangeService(TrustPolicyRepository policies, ExchangedTokenRepository exchanged, OrgRepository orgs,
                                EventOutbox outbox, OutboxRelay relay, ExchangedTokenSigner signer, ExchangeSettings settings,
                                Clock clock) {
        this.policies = policies;
        this.exchanged = exchanged;
        this.orgs = orgs;
        this.outbox = outbox;
        this.relay = relay;
        this.signer = signer;
        this.settings = settings;
        this.clock = clock;
    }

    /** A checked exchange request (the resource checked the grant and token types). */
    public record Request(String subjectToken, String org, String scope, Long requestedTtl, String clientIp) {
    }

    /** What the caller gets. */
    public record Issued(String accessToken, long expiresIn, Scopes scopes, ExchangedToken claims) {
    }

    /** Fails with an {@link ExchangeRefusal}. */
    public Uni<Issued> exchange(Request request) {
        if (!signer.enabled()) {
            throw ExchangeRefusal.unavailable("token exchange is off on this server: it needs keyward.signing-keys.secret");
        }
        WorkloadTokenVerifier.Unverified token = WorkloadTokenVerifier.parse(request.subjectToken());
        Context context = Vertx.currentContext();
        return Panache.withSession(() -> orgs.findById(request.org())
                .flatMap(org -> {
                    if (org == null || !OrgRules.ACTIVE.equals(org.state)) {
                        throw ExchangeRefusal.invalidTarget(org == null ? RefusalReason.UNKNOWN : RefusalReason.ORG_SUSPENDED,
                                "audience names no org that accepts token exchange");
                    }
                    return policies.liveOf(org.id);
                }))
                .flatMap(live -> {
                    List<TrustPolicyEntity> candidates = live.stream().filter(p -> p.issuer.equals(token.issuer())).toList();
                    if (candidates.isEmpty()) {
                        throw ExchangeRefusal.invalidGrant("no trust policy of this org trusts the token's issuer");
                    }
                    Uni<WorkloadToken> verified = Uni.createFrom().completionStage(() -> settings.workloads().verify(token));
                    // The keys may come back on a fetch thread: continue on the request's context.
                    return (context == null ? verified : verified.emitOn(task -> context.runOnContext(ignored -> task.run())))
                            .onFailure(CompletionException.class).transform(Throwable::getCause)
                            .map(workload -> issue(request, workload, candidates));
                })
                .flatMap(pending -> signer.sign(pending.claims())
                        .flatMap(jwt -> Panache.withTransaction(() -> exchanged.persist(pending.row())
                                .call(() -> outbox.append(TokenEvents.exchanged(pending.row(), pending.matchedClaims(),
                                        request.clientIp()))))
                                .invoke(ignored -> relay.wakeUp())
                                .replaceWith(new Issued(jwt, pending.ttl(), pending.claims().scopes(), pending.claims()))));
    }

    /**
     * Revokes one exchanged token by its {@code jti} (an org admin or a {@code token:write} key of its
     * org; an org member manages only the tokens they created, and a workload's are not theirs).
     * Revoking a revoked token changes nothing.
     */
    public Uni<ExchangedTokenEntity> revoke(Caller caller, String jti) {
        return Panache.withTransaction(() -> exchanged.lockInOrg(caller.org(), jti).flatMap(row -> {
            if (row == null || caller.ownOnly()) {
                throw ApiException.notFound("no token with this id in this org");
            }
            if (row.revokedAt != null) {
                return Uni.createFrom().item(row);
            }
            row.revokedAt = clock.instant().truncatedTo(ChronoUnit.MICROS);
            return outbox.append(TokenEvents.revokedExchange(caller, row, row.revokedAt)).replaceWith(row);
        })).invoke(ignored -> relay.wakeUp());
    }

    private record Pending(ExchangedToken claims, ExchangedTokenEntity row, Map<String, Object> matchedClaims, long ttl) {
    }

    private Pending issue(Request request, WorkloadToken workload, List<TrustPolicyEntity> candidates) {
        TrustPolicyEntity policy = null;
        for (TrustPolicyEntity candidate : candidates) {
            if (matches(candidate, workload)) {
                policy = candidate;
                break;
            }
        }
        if (policy == null) {
            throw ExchangeRefusal.invalidGrant("no trust policy of this org matches the token's audience, subject and claims");
        }
        Scopes scopes;
        try {
            scopes = ExchangeScopes.grant(request.scope(), policy.scopes);
        } catch (ExchangeScopes.Refused e) {
            throw ExchangeRefusal.invalidScope(e.getMessage());
        }
        long ttl = request.requestedTtl() == null ? policy.maxTtlSeconds : request.requestedTtl();
        if (ttl > policy.maxTtlSeconds) {
            throw ExchangeRefusal.invalidRequest("requested_ttl " + ttl + " exceeds the trust policy's max_ttl of "
                    + policy.maxTtlSeconds + " s");
        }
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        ExchangedToken claims = new ExchangedToken(settings.issuer(), workload.subject(), policy.orgId, scopes, policy.id,
                ExchangedToken.newJti(), now, now.plusSeconds(ttl));
        ExchangedTokenEntity row = new ExchangedTokenEntity();
        row.jti = claims.jti();
        row.orgId = policy.orgId;
        row.trustPolicyId = policy.id;
        row.subject = workload.subject();
        row.issuer = workload.issuer();
        row.scopes = scopes;
        row.createdAt = now;
        row.expiresAt = claims.expiresAt();
        return new Pending(claims, row, matchedClaims(policy, workload), ttl);
    }

    /** Audience, subject and every claim pattern of the policy. */
    static boolean matches(TrustPolicyEntity policy, WorkloadToken workload) {
        if (!workload.audiences().contains(policy.audience)) {
            return false;
        }
        if (!ClaimGlob.of(policy.subject).matches(workload.subject())) {
            return false;
        }
        for (Map.Entry<String, String> e : policy.claims.entrySet()) {
            if (!ClaimGlob.of(e.getValue()).matches(workload.claims().get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }

    /** The policy's claims and the platform's job context, as the token carried them (scalars only). */
    private static Map<String, Object> matchedClaims(TrustPolicyEntity policy, WorkloadToken workload) {
        Map<String, Object> out = new LinkedHashMap<>();
        Set<String> names = new java.util.LinkedHashSet<>(policy.claims.keySet());
        names.addAll(WORKLOAD_CONTEXT_CLAIMS);
        for (String name : names) {
            Object value = workload.claims().get(name);
            String text = ClaimGlob.scalarText(value);
            if (text != null && text.length() <= 500) {
                out.put(name, text);
            }
        }
        return out;
    }
}
