package dev.keyward.token.service;

import dev.keyward.contract.ApiException;
import dev.keyward.contract.ApiKeyFormat;
import dev.keyward.contract.Scopes;
import dev.keyward.contract.TokenKind;
import dev.keyward.events.KeywardEvent;
import dev.keyward.token.domain.Caller;
import dev.keyward.token.domain.CidrBlocks;
import dev.keyward.token.domain.CreatedBy;
import dev.keyward.token.domain.OrgIds;
import dev.keyward.token.domain.OrgPolicy;
import dev.keyward.token.domain.PageCursor;
import dev.keyward.token.domain.TokenRules;
import dev.keyward.token.outbox.OutboxRelay;
import dev.keyward.token.repository.LiveTokenCounts;
import dev.keyward.token.repository.OrgEntity;
import dev.keyward.token.repository.OrgRepository;
import dev.keyward.token.repository.TokenEntity;
import dev.keyward.token.repository.TokenRepository;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.LongFunction;
import java.util.function.Supplier;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Token lifecycle: issue, list, revoke, rotate. Every change commits together with its event in
 * the outbox; the relay is woken right after the commit so verifiers hear of it quickly.
 */
@ApplicationScoped
public class TokenService {

    public static final int MAX_PAGE_SIZE = 200;
    public static final int DEFAULT_PAGE_SIZE = 50;
    /** An org's first admin key (the bootstrap's, or the one {@code POST /v1/orgs} returns): every org permission. */
    public static final Map<String, List<String>> BOOTSTRAP_SCOPES = Map.of(
            "repos:*", List.of("git:read", "git:write", "repo:write"),
            "org", List.of("org:read", "token:write", "audit:read", "org:admin"));
    /** A platform operator's key. */
    public static final Map<String, List<String>> OPERATOR_SCOPES = Map.of("org", List.of("orgs:read", "orgs:write"));

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String ID_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz";

    private final TokenRepository tokens;
    private final OrgRepository orgs;
    private final LiveTokenCounts counts;
    private final EventOutbox outbox;
    private final KeyHasher hasher;
    private final OutboxRelay relay;
    private final long defaultGraceSeconds;
    private final long maxGraceSeconds;
    private final Clock clock;
    private final GroupCommit<Draft, IssuedToken> creates;

    public TokenService(TokenRepository tokens, OrgRepository orgs, LiveTokenCounts counts, EventOutbox outbox,
                        KeyHasher hasher, OutboxRelay relay,
                        @ConfigProperty(name = "keyward.rotation.default-grace-seconds", defaultValue = "0") long defaultGraceSeconds,
                        @ConfigProperty(name = "keyward.rotation.max-grace-seconds", defaultValue = "604800") long maxGraceSeconds,
                        @ConfigProperty(name = "keyward.tokens.create-group-max", defaultValue = "64") int createGroupMax,
                        Clock clock) {
        this.tokens = tokens;
        this.orgs = orgs;
        this.counts = counts;
        this.outbox = outbox;
        this.hasher = hasher;
        this.relay = relay;
        this.defaultGraceSeconds = defaultGraceSeconds;
        this.maxGraceSeconds = maxGraceSeconds;
        this.clock = clock;
        // The most creates of one org committed together; 1 commits each create alone.
        this.creates = new GroupCommit<>(this::createAll, createGroupMax);
    }

    /**
     * Issues a token within the caller's org. Refusals: 422 bad fields, 403 scopes beyond the
     * caller's (after recording {@code scope:escalated}), 409 when a limit is reached.
     */
    public Uni<IssuedToken> create(Caller caller, NewToken request) {
        String name = TokenRules.name(request.name());
        TokenKind kind = TokenRules.kind(request.kind());
        ApiKeyFormat.Environment environment = TokenRules.environment(request.environment());
        Scopes scopes = TokenRules.scopes(request.scopes(), kind);
        List<String> cidrs = request.allowedCidrs() == null ? null : CidrBlocks.parseAll(request.allowedCidrs());
        if (!scopes.isSubsetOf(caller.scopes())) {
            return refuseEscalation(caller, "token:create", null, scopes);
        }
        List<String> beyondFence = cidrs == null ? List.of() : CidrBlocks.outside(cidrs, caller.allowedCidrs());
        if (!beyondFence.isEmpty()) {
            return refuseCidrEscalation(caller, "token:create", null, cidrs, beyondFence);
        }
        return creates.submit(caller.org(), new Draft(caller, name, kind, environment, scopes, cidrs, request.expiresIn(), now()));
    }

    /** A create that passed the checks needing no lock, waiting for its org's next group. */
    private record Draft(Caller caller, String name, TokenKind kind, ApiKeyFormat.Environment environment, Scopes scopes,
                         List<String> cidrs, Long expiresIn, Instant now) {
    }

    /**
     * Issues a group of one org's drafts in one transaction: the org row is locked once and each
     * draft is checked against the limits in turn, so the limits stay exact; a refused draft writes
     * nothing and does not fail the others.
     */
    private Uni<List<GroupCommit.Outcome<IssuedToken>>> createAll(String orgId, List<Draft> drafts) {
        return committed(() -> orgs.lockById(orgId).flatMap(org -> {
            if (org == null) {
                return Uni.createFrom().item(drafts.stream().map(d -> GroupCommit.Outcome.<IssuedToken>failed(
                        ApiException.notFound("org not found"))).toList());
            }
            List<String> minters = drafts.stream().filter(d -> !d.caller().isPerson())
                    .map(d -> d.caller().tokenId()).distinct().toList();
            return tokens.revokedAmong(minters).flatMap(revoked -> {
                List<GroupCommit.Outcome<IssuedToken>> outcomes = new ArrayList<>(drafts.size());
                List<KeywardEvent> events = new ArrayList<>(drafts.size());
                List<TokenEntity> admitted = new ArrayList<>(drafts.size());
                Uni<Void> chain = Uni.createFrom().voidItem();
                for (Draft draft : drafts) {
                    chain = chain.chain(() -> Uni.createFrom().deferred(() -> admit(org, draft, revoked, admitted, events))
                            .map(GroupCommit.Outcome::of)
                            .onFailure(ApiException.class).recoverWithItem(GroupCommit.Outcome::failed)
                            .invoke(outcomes::add)).replaceWithVoid();
                }
                return chain.chain(() -> tokens.insertAll(admitted)).chain(() -> outbox.append(events)).replaceWith(outcomes);
            });
        }));
    }

    /**
     * One draft of a group, in the group's transaction with {@code org} locked: its token joins
     * {@code admitted}, which the group writes in one statement after its last draft.
     */
    private Uni<IssuedToken> admit(OrgEntity org, Draft draft, Set<String> revokedMinters, List<TokenEntity> admitted,
                                   List<KeywardEvent> events) {
        Caller caller = draft.caller();
        if (!caller.isPerson() && revokedMinters.contains(caller.tokenId())) {
            // Revoked after it was verified, while its create waited for the org lock (a revocation
            // commits holding that lock or before it): nothing it mints outlives it.
            return Uni.createFrom().failure(new ApiException(401, "revoked", "the token was revoked"));
        }
        OrgPolicy policy = org.policy();
        Optional<Instant> expiry = policy.expiryFor(draft.expiresIn(), draft.now());
        // A caller behind an address fence hands it on: its tokens never reach further than it.
        List<String> effectiveCidrs = draft.cidrs() != null ? draft.cidrs()
                : !caller.allowedCidrs().isEmpty() ? caller.allowedCidrs() : policy.defaultCidrs();
        CreatedBy creator = caller.asCreator();
        return checkLimits(org, creator.userId(), policy, draft.now(), admitted).map(ignored -> {
            IssuedToken issued = newToken(org.id, draft.name(), draft.kind(), draft.environment(), draft.scopes(),
                    effectiveCidrs, expiry.orElse(null), creator, caller, draft.now(), events);
            admitted.add(issued.token());
            return issued;
        });
    }

    /**
     * Refuses the create when the org or the creator has reached its limit, else counts the new
     * token in; the org row is locked. The live counters answer nearly every call; only a counter
     * at a limit (it may still hold tokens past their expiry that the job has not marked) costs an
     * exact count: the active rows plus the group's tokens admitted before this one, not written yet.
     */
    private Uni<Void> checkLimits(OrgEntity org, String userId, OrgPolicy policy, Instant now, List<TokenEntity> admitted) {
        return belowLimit(org.liveTokens, policy.maxActivePerOrg(),
                () -> tokens.countActiveInOrg(org.id, now).map(count -> count + admitted.size()),
                count -> ApiException.conflict("org_token_limit", "the org already has " + count
                        + " active tokens (limit " + policy.maxActivePerOrg() + "); revoke some first"))
                .chain(() -> counts.liveOf(org, userId))
                .chain(live -> belowLimit(live, policy.maxActivePerUser(),
                        () -> tokens.countActiveByCreator(org.id, userId, now)
                                .map(count -> count + admitted.stream().filter(t -> Objects.equals(userId, t.createdByUserId)).count()),
                        count -> ApiException.conflict("user_token_limit", "this creator already has " + count
                                + " active tokens (limit " + policy.maxActivePerUser() + "); revoke some first")))
                .chain(() -> counts.added(org, userId)).replaceWithVoid();
    }

    /** Passes when {@code live} is under {@code limit}, else when the exact count of active tokens is; refuses otherwise. */
    private static Uni<Void> belowLimit(long live, int limit, Supplier<Uni<Long>> exactCount,
                                        LongFunction<ApiException> refusal) {
        if (live < limit) {
            return Uni.createFrom().voidItem();
        }
        return exactCount.get().invoke(count -> {
            if (count >= limit) {
                throw refusal.apply(count);
            }
        }).replaceWithVoid();
    }

    private Uni<IssuedToken> issue(String org, String name, TokenKind kind, ApiKeyFormat.Environment environment,
                                   Scopes scopes, List<String> cidrs, Instant expiresAt, CreatedBy creator,
                                   Caller caller, Instant now) {
        List<KeywardEvent> events = new ArrayList<>(1);
        return persistNew(org, name, kind, environment, scopes, cidrs, expiresAt, creator, caller, now, events)
                .call(() -> outbox.append(events));
    }

    /** A new token persisted in the open transaction; its {@code token:created} is added to {@code events} to append. */
    private Uni<IssuedToken> persistNew(String org, String name, TokenKind kind, ApiKeyFormat.Environment environment,
                                        Scopes scopes, List<String> cidrs, Instant expiresAt, CreatedBy creator,
                                        Caller caller, Instant now, List<KeywardEvent> events) {
        IssuedToken issued = newToken(org, name, kind, environment, scopes, cidrs, expiresAt, creator, caller, now, events);
        return tokens.persist(issued.token()).replaceWith(issued);
    }

    /** A new token, not written yet; its {@code token:created} is added to {@code events} to append. */
    private IssuedToken newToken(String org, String name, TokenKind kind, ApiKeyFormat.Environment environment,
                                 Scopes scopes, List<String> cidrs, Instant expiresAt, CreatedBy creator,
                                 Caller caller, Instant now, List<KeywardEvent> events) {
        String key = ApiKeyFormat.generate(environment, kind);
        TokenEntity token = new TokenEntity();
        token.id = newTokenId();
        token.orgId = org;
        token.keyHash = hasher.hash(key);
        token.keyPrefix = ApiKeyFormat.prefixOf(key);
        token.name = name;
        token.kind = kind;
        token.environment = environment;
        token.scopes = scopes;
        token.allowedCidrs = List.copyOf(cidrs);
        token.createdAt = now;
        token.expiresAt = expiresAt;
        token.createdByType = creator.type();
        token.createdByUserId = creator.userId();
        token.createdByName = creator.name();
        token.createdByTokenId = creator.tokenId();
        token.createdByTokenPrefix = creator.tokenPrefix();
        // A person's own address gets the expiry notice of their token; keys' tokens go to the org's contact.
        token.notifyEmail = caller != null && CreatedBy.PERSON.equals(creator.type()) ? caller.email() : null;
        events.add(TokenEvents.created(caller, token, now));
        return new IssuedToken(token, key);
    }

    /** A page of the caller's org's tokens in creation order. */
    public Uni<TokenPage> list(Caller caller, boolean activeOnly, Integer pageSize, String pageToken) {
        int size = pageSize == null ? DEFAULT_PAGE_SIZE : pageSize;
        if (size < 1 || size > MAX_PAGE_SIZE) {
            throw ApiException.badRequest("page_size must be between 1 and " + MAX_PAGE_SIZE);
        }
        PageCursor after = pageToken == null || pageToken.isEmpty() ? null : PageCursor.decode(pageToken);
        // An org member (a person with the own-tokens-only rule) pages through the tokens they created.
        String createdBy = caller.ownOnly() ? caller.userId() : null;
        return Panache.withSession(() -> tokens.page(caller.org(), createdBy, activeOnly,
                        after == null ? null : after.createdAt(), after == null ? null : after.id(), size + 1, now()))
                .map(found -> {
                    if (found.size() <= size) {
                        return new TokenPage(found, null);
                    }
                    List<TokenEntity> page = found.subList(0, size);
                    TokenEntity last = page.get(size - 1);
                    return new TokenPage(List.copyOf(page), new PageCursor(last.createdAt, last.id).encode());
                });
    }

    /** Every token of the caller's org, any state, for exports. */
    public Uni<List<TokenEntity>> all(Caller caller) {
        return Panache.withSession(() -> tokens.allInOrg(caller.org()));
    }

    /** @throws ApiException 404 when the token is not in the caller's org (or, for an org member, not theirs) */
    public Uni<TokenEntity> get(Caller caller, String id) {
        return Panache.withSession(() -> tokens.findInOrg(caller.org(), id)).map(token -> {
            if (token == null || !caller.mayManage(token.createdByUserId)) {
                throw ApiException.notFound("no token " + safeId(id) + " in this org");
            }
            return token;
        });
    }

    /** Revokes a token of the caller's org; revoking a revoked token changes nothing. */
    public Uni<TokenEntity> revoke(Caller caller, String id) {
        Instant now = now();
        return committed(() -> lockInOrg(caller, id).flatMap(token -> {
            if (token.revokedAt != null) {
                return Uni.createFrom().item(token);
            }
            return revokeLocked(token, TokenEvents.revoked(caller, token, now), now).replaceWith(token);
        }));
    }

    /**
     * Revokes {@code token} (not revoked, locked in the open transaction): stamps {@code revoked_at},
     * brings its org's live counters down (locking the org row after the token) and appends
     * {@code event}, its {@code token:revoked}. What every single revocation does.
     */
    Uni<Void> revokeLocked(TokenEntity token, KeywardEvent event, Instant now) {
        boolean wasLive = token.expiredAt == null;
        token.revokedAt = now;
        Uni<Void> counted = wasLive
                ? orgs.lockById(token.orgId).flatMap(org -> counts.ended(org, token.createdByUserId))
                : Uni.createFrom().voidItem();
        return counted.chain(() -> outbox.append(event));
    }

    /**
     * Revokes a token of the caller's org and every token it minted, recursively, in one
     * transaction: one {@code token:revoked} each, the live counters brought down with them. An org
     * member's walk keeps to their own tokens. Tokens revoked before stay as they were, but the walk
     * goes through them: what they minted may still be live.
     * <p>
     * Locks: the tokens first (id order), as a single revoke and the expiry job take them, then the
     * org row, then the creators' counters. The subtree is read again under the org lock, so a token
     * minted by one of them while this waited (a create holds the org lock until it commits) is
     * revoked too; a create that comes after finds its minter revoked ({@link #create}).
     */
    public Uni<Revocation> revokeWithDescendants(Caller caller, String id) {
        Instant now = now();
        String owner = caller.ownOnly() ? caller.userId() : null;
        return committed(() -> tokens.lockSubtree(caller.org(), id, owner).flatMap(locked -> {
            TokenEntity root = locked.stream().filter(t -> t.id.equals(id)).findFirst().orElse(null);
            if (root == null || !caller.mayManage(root.createdByUserId)) {
                throw ApiException.notFound("no token " + safeId(id) + " in this org");
            }
            return orgs.lockById(caller.org())
                    .flatMap(org -> tokens.lockSubtree(caller.org(), id, owner)
                            .flatMap(subtree -> revokeAll(caller, org, root.id, subtree, now)));
        }));
    }

    private Uni<Revocation> revokeAll(Caller caller, OrgEntity org, String rootId, List<TokenEntity> subtree, Instant now) {
        List<TokenEntity> revoking = subtree.stream().filter(t -> t.revokedAt == null).toList();
        Map<String, Integer> endedByCreator = new HashMap<>();
        Uni<Void> events = Uni.createFrom().voidItem();
        for (TokenEntity token : revoking) {
            if (token.expiredAt == null) {
                endedByCreator.merge(token.createdByUserId, 1, Integer::sum);
            }
            token.revokedAt = now;
            events = events.chain(() -> outbox.append(TokenEvents.revokedWith(caller, token, rootId, now)));
        }
        Uni<Void> recorded = events;
        return counts.ended(org, endedByCreator).chain(() -> recorded)
                .replaceWith(() -> new Revocation(rootId, revoking.stream().map(t -> t.id).toList()));
    }

    /**
     * Gives a token a new key. The old key stays valid for {@code graceSeconds} (default
     * {@code keyward.rotation.default-grace-seconds}, 0), then only the new one works. Rotating
     * another token needs all of its scopes (the subset rule), since the caller receives its key.
     */
    public Uni<IssuedToken> rotate(Caller caller, String id, Long graceSeconds) {
        long grace = graceSeconds == null ? defaultGraceSeconds : graceSeconds;
        if (grace < 0 || grace > maxGraceSeconds) {
            throw ApiException.invalid("grace_seconds must be between 0 and " + maxGraceSeconds);
        }
        return get(caller, id).flatMap(found -> {
            Scopes held = found.scopes;
            if (!held.isSubsetOf(caller.scopes())) {
                return refuseEscalation(caller, "token:rotate", found.id, held);
            }
            List<String> heldCidrs = found.allowedCidrs;
            List<String> heldBeyondFence = CidrBlocks.outside(heldCidrs, caller.allowedCidrs());
            if (!heldBeyondFence.isEmpty()) {
                return refuseCidrEscalation(caller, "token:rotate", found.id, heldCidrs, heldBeyondFence);
            }
            Instant now = now();
            return committed(() -> lockInOrg(caller, id).flatMap(token -> {
                switch (token.state(now)) {
                    case REVOKED -> throw ApiException.conflict("token_revoked", "a revoked token cannot be rotated");
                    case EXPIRED -> throw ApiException.conflict("token_expired", "an expired token cannot be rotated");
                    case ACTIVE -> { }
                }
                String key = ApiKeyFormat.generate(token.environment, token.kind);
                Instant graceUntil = now.plusSeconds(grace);
                token.previousKeyHash = token.keyHash;
                token.previousKeyPrefix = token.keyPrefix;
                token.previousKeyExpiresAt = graceUntil;
                token.keyHash = hasher.hash(key);
                token.keyPrefix = ApiKeyFormat.prefixOf(key);
                token.rotatedAt = now;
                return outbox.append(TokenEvents.rotated(caller, token, graceUntil, now))
                        .replaceWith(() -> new IssuedToken(token, key));
            }));
        });
    }

    /**
     * Creates {@code orgId} with the default policy and an org admin token (env dev), unless the
     * org exists. The key goes to {@code keySink} before the transaction commits, so a failing
     * sink leaves no org behind. Safe when several replicas run it at once: one wins.
     *
     * @return whether this call created the org
     */
    public Uni<Boolean> bootstrap(String orgId, Consumer<String> keySink) {
        return bootstrap(orgId, "bootstrap org admin", TokenKind.ORG, BOOTSTRAP_SCOPES, keySink);
    }

    /**
     * Creates the platform operators' org ({@link OrgIds#PLATFORM}) with an operator key, unless it
     * exists; as {@link #bootstrap(String, Consumer)}.
     */
    public Uni<Boolean> bootstrapOperator(Consumer<String> keySink) {
        return bootstrap(OrgIds.PLATFORM, "bootstrap platform operator", TokenKind.PLATFORM, OPERATOR_SCOPES, keySink);
    }

    private Uni<Boolean> bootstrap(String orgId, String name, TokenKind kind, Map<String, List<String>> wireScopes,
                                   Consumer<String> keySink) {
        Instant now = now();
        return committed(() -> orgs.insertIfAbsent(orgId).flatMap(created -> {
            if (!created) {
                return Uni.createFrom().item(false);
            }
            Scopes scopes = Scopes.parse(wireScopes);
            CreatedBy creator = CreatedBy.bootstrap();
            return orgs.lockById(orgId).flatMap(org -> counts.added(org, creator.userId())
                    .chain(() -> issue(orgId, name, kind, ApiKeyFormat.Environment.DEV, scopes, List.of(),
                            org.policy().expiryFor(null, now).orElse(null), creator, null, now)))
                    .map(issued -> {
                        keySink.accept(issued.key());
                        return true;
                    });
        }));
    }

    /**
     * The first admin key of an org a platform operator just created ({@code org} locked in the
     * current transaction): every org permission, a prod key with the default lifetime, created by
     * the system on the operator's behalf.
     */
    public Uni<IssuedToken> issueFirstAdminKey(OrgEntity org, Caller operator, Instant now) {
        CreatedBy creator = CreatedBy.bootstrap();
        Instant expiry = org.policy().expiryFor(null, now).orElse(null);
        return counts.added(org, creator.userId()).chain(() -> issue(org.id, "first org admin", TokenKind.ORG,
                ApiKeyFormat.Environment.PROD, Scopes.parse(BOOTSTRAP_SCOPES), List.of(), expiry, creator, operator, now));
    }

    private <T> Uni<T> refuseEscalation(Caller caller, String operation, String subject, Scopes requested) {
        List<String> excess = requested.excessOver(caller.scopes());
        KeywardEvent event = TokenEvents.escalated(caller, operation, subject, requested.toWire(), excess, now());
        return committed(() -> outbox.append(event)).flatMap(ignored -> Uni.createFrom().<T>failure(new ApiException(403,
                "scope_escalation", "the requested scopes exceed the caller's own: " + String.join(", ", excess),
                Map.of("excess", excess))));
    }

    private <T> Uni<T> refuseCidrEscalation(Caller caller, String operation, String subject, List<String> requested,
                                            List<String> excess) {
        KeywardEvent event = TokenEvents.cidrEscalated(caller, operation, subject, requested, excess, now());
        return committed(() -> outbox.append(event)).flatMap(ignored -> Uni.createFrom().<T>failure(new ApiException(403,
                "cidr_escalation", "the requested allowed_cidrs reach beyond the caller's own ("
                + String.join(", ", caller.allowedCidrs()) + "): " + String.join(", ", excess),
                Map.of("excess", excess))));
    }

    private Uni<TokenEntity> lockInOrg(Caller caller, String id) {
        return tokens.findById(id, LockModeType.PESSIMISTIC_WRITE).map(token -> {
            if (token == null || !token.orgId.equals(caller.org()) || !caller.mayManage(token.createdByUserId)) {
                throw ApiException.notFound("no token " + safeId(id) + " in this org");
            }
            return token;
        });
    }

    /** Runs {@code work} in one transaction and wakes the outbox relay once it has committed. */
    private <T> Uni<T> committed(Supplier<Uni<T>> work) {
        return Panache.withTransaction(work).invoke(ignored -> relay.wakeUp());
    }

    static String newTokenId() {
        StringBuilder id = new StringBuilder("tok_");
        for (int i = 0; i < 24; i++) {
            id.append(ID_ALPHABET.charAt(RANDOM.nextInt(ID_ALPHABET.length())));
        }
        return id.toString();
    }

    private static String safeId(String id) {
        return id != null && id.matches("tok_[a-z0-9]{1,40}") ? id : "(that id)";
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }
}
