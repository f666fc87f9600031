package dev.keyward.token.service;

import dev.keyward.contract.ApiException;
import dev.keyward.contract.ExchangedToken;
import dev.keyward.contract.OrgRules;
import dev.keyward.contract.RefusalReason;
import dev.keyward.contract.Scopes;
import dev.keyward.events.KeywardEvent;
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
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
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

    /** The most exchanges that share a read, or a commit of one org. */
    private static final int GROUP_LIMIT = 64;
    /** Reads of orgs and policies in flight at once, at most. */
    private static final int READ_LANES = 4;

    private final TrustPolicyRepository policies;
    private final ExchangedTokenRepository exchanged;
    private final OrgRepository orgs;
    private final EventOutbox outbox;
    private final OutboxRelay relay;
    private final ExchangedTokenSigner signer;
    private final ExchangeSettings settings;
    private final Clock clock;
    private final GroupCommit<Request, List<TrustPolicyEntity>> reads;
    private final GroupCommit<Pending, Void> commits;

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
        this.reads = new GroupCommit<>(this::readLive, GROUP_LIMIT);
        this.commits = new GroupCommit<>(this::commitAll, GROUP_LIMIT);
    }

    /** A checked exchange request (the resource checked the grant and token types). */
    public record Request(String subjectToken, String org, String scope, Long requestedTtl, String clientIp) {
    }

    /** What the caller gets. */
    public record Issued(String accessToken, long expiresIn, Scopes scopes, ExchangedToken claims) {
    }

    /**
     * Fails with an {@link ExchangeRefusal}. The org and its live policies are read by a read that
     * starts after this call (a policy deleted or an org suspended before it refuses it); the token's
     * row and event commit with those of the org's other exchanges in flight.
     */
    public Uni<Issued> exchange(Request request) {
        if (!signer.enabled()) {
            throw ExchangeRefusal.unavailable("token exchange is off on this server: it needs keyward.signing-keys.secret");
        }
        WorkloadTokenVerifier.Unverified token = WorkloadTokenVerifier.parse(request.subjectToken());
        Context context = Vertx.currentContext();
        // The audience is anyone's to choose and GroupCommit keeps a queue per key: reads go by lane, not by org.
        return reads.submit("lane-" + Math.floorMod(request.org().hashCode(), READ_LANES), request)
                .flatMap(live -> {
                    List<TrustPolicyEntity> candidates = live.stream().filter(p -> p.issuer.equals(token.issuer())).toList();
                    if (candidates.isEmpty()) {
                        throw ExchangeRefusal.invalidGrant("no trust policy of this org trusts the token's issuer");
                    }
                    return verified(token, context).map(workload -> issue(request, workload, candidates));
                })
                .flatMap(pending -> signer.sign(pending.claims())
                        .flatMap(jwt -> commits.submit(pending.row().orgId, pending)
                                .replaceWith(new Issued(jwt, pending.ttl(), pending.claims().scopes(), pending.claims()))));
    }

    /**
     * One read of the orgs and their live policies for every exchange waiting in a lane
     * ({@link GroupCommit}: they all arrived after the lane's previous read had started, so none of
     * them is answered from a read older than itself).
     */
    private Uni<List<GroupCommit.Outcome<List<TrustPolicyEntity>>>> readLive(String lane, List<Request> requests) {
        Map<String, GroupCommit.Outcome<List<TrustPolicyEntity>>> byOrg = new HashMap<>();
        return Panache.withSession(() -> {
            // One org after the other (a session runs one query at a time); nearly always a lane holds one org.
            Uni<Void> reads = Uni.createFrom().voidItem();
            for (String orgId : requests.stream().map(Request::org).distinct().toList()) {
                reads = reads.chain(() -> readLive(orgId)).invoke(outcome -> byOrg.put(orgId, outcome)).replaceWithVoid();
            }
            return reads;
        }).map(ignored -> requests.stream().map(r -> byOrg.get(r.org())).toList());
    }

    /** An org's live policies, oldest first, or why it takes no exchanges. */
    private Uni<GroupCommit.Outcome<List<TrustPolicyEntity>>> readLive(String orgId) {
        return orgs.findById(orgId).flatMap(org -> {
            if (org == null || !OrgRules.ACTIVE.equals(org.state)) {
                return Uni.createFrom().item(GroupCommit.Outcome.failed(ExchangeRefusal.invalidTarget(
                        org == null ? RefusalReason.UNKNOWN : RefusalReason.ORG_SUSPENDED,
                        "audience names no org that accepts token exchange")));
            }
            // The rows are only read from here on, by each exchange of the group on its own thread.
            return policies.liveOf(orgId).map(GroupCommit.Outcome::of);
        });
    }

    /** The issued tokens of a group of one org: their rows in one statement, their events in another, one transaction. */
    private Uni<List<GroupCommit.Outcome<Void>>> commitAll(String orgId, List<Pending> group) {
        List<ExchangedTokenEntity> rows = group.stream().map(Pending::row).toList();
        List<KeywardEvent> events = group.stream()
                .map(p -> TokenEvents.exchanged(p.row(), p.matchedClaims(), p.clientIp())).toList();
        return Panache.withTransaction(() -> exchanged.insertAll(rows).chain(() -> outbox.append(events)))
                .invoke(relay::wakeUp)
                .replaceWith(() -> Collections.nCopies(group.size(), GroupCommit.Outcome.<Void>of(null)));
    }

    /** The workload token verified; on the request's context again when the issuer's keys had to be fetched. */
    private Uni<WorkloadToken> verified(WorkloadTokenVerifier.Unverified token, Context context) {
        CompletableFuture<WorkloadToken> verifying = settings.workloads().verify(token).toCompletableFuture();
        Uni<WorkloadToken> verified = Uni.createFrom().completionStage(verifying);
        // Keys cached (nearly always): done already, on this thread; no hop back to the context is needed.
        if (context != null && !verifying.isDone()) {
            verified = verified.emitOn(task -> context.runOnContext(ignored -> task.run()));
        }
        return verified.onFailure(CompletionException.class).transform(Throwable::getCause);
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

    private record Pending(ExchangedToken claims, ExchangedTokenEntity row, Map<String, Object> matchedClaims, long ttl,
                           String clientIp) {
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
        return new Pending(claims, row, matchedClaims(policy, workload), ttl, request.clientIp());
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
