package dev.keyward.token.service;

import dev.keyward.contract.ApiKeyFormat;
import dev.keyward.events.KeywardEvent;
import dev.keyward.token.domain.OrgPolicy;
import dev.keyward.token.notify.ExpiryNotice;
import dev.keyward.token.notify.NotificationDispatcher;
import dev.keyward.token.outbox.OutboxRelay;
import dev.keyward.token.repository.OrgEntity;
import dev.keyward.token.repository.OrgRepository;
import dev.keyward.token.repository.TokenEntity;
import dev.keyward.token.repository.TokenRepository;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.jboss.logging.Logger;

/**
 * Keys found exposed: in a push (repo-service's push protection) or by a secret scanner (leak
 * reports). Every candidate that is a live Keyward key gets a {@code token:leaked} event; when its
 * org's {@code leak_action} is {@code block_and_revoke} (the default) the token is revoked as
 * {@code DELETE /v1/tokens/{id}} would (its {@code token:revoked} after the {@code token:leaked});
 * and its creator (else the org's contact, and the org's webhook) is notified through the
 * notification queue ({@code notification_deliveries}, event type {@code token:leaked}, delivered
 * by the notification job). All of one call in one transaction. Anything else (a string that is
 * not a key, a bad checksum, an unknown, revoked or expired key) changes nothing.
 * <p>
 * The raw keys live only in this call: they are hashed to look them up and never logged, stored
 * or put in an event (which carry the {@code key_prefix}).
 */
@ApplicationScoped
public class LeakService {

    public static final String PUSH = "push";
    public static final String REPORT = "report";

    private static final Logger LOG = Logger.getLogger(LeakService.class);

    private final TokenRepository tokens;
    private final OrgRepository orgs;
    private final TokenService tokenService;
    private final EventOutbox outbox;
    private final KeyHasher hasher;
    private final OutboxRelay relay;
    private final Clock clock;

    public LeakService(TokenRepository tokens, OrgRepository orgs, TokenService tokenService, EventOutbox outbox,
                       KeyHasher hasher, OutboxRelay relay, Clock clock) {
        this.tokens = tokens;
        this.orgs = orgs;
        this.tokenService = tokenService;
        this.outbox = outbox;
        this.hasher = hasher;
        this.relay = relay;
        this.clock = clock;
    }

    /**
     * Where a candidate was found and who says so; fields that do not apply are null.
     *
     * @param source       {@link #PUSH} or {@link #REPORT}
     * @param repoOrg      the org of the repository pushed to (push)
     * @param repo         the repository id within {@code repoOrg} (push)
     * @param reporter     the reporter's signing key id (report)
     * @param reportType   the scanner's {@code type} of the finding (report)
     * @param reportSource the scanner's {@code source} of the finding, e.g. {@code content} (report)
     */
    public record Place(String source, String repoOrg, String repo, String commit, String path, Integer line,
                        String url, String reporter, String reportType, String reportSource) {

        public static Place push(String repoOrg, String repo, String commit, String path, Integer line) {
            return new Place(PUSH, repoOrg, repo, commit, path, line, null, null, null, null);
        }

        public static Place report(String reporter, String url, String type, String source) {
            return new Place(REPORT, null, null, null, null, null, url, reporter, type, source);
        }

        /** The actor of the events: repo-service for a push, the reporter's key id for a report. */
        String actor() {
            return PUSH.equals(source) ? "repo-service" : "reporter:" + reporter;
        }

        /** One line for a person: where to look. */
        String describe() {
            if (PUSH.equals(source)) {
                StringBuilder s = new StringBuilder("push to ").append(repoOrg).append('/').append(repo);
                if (path != null) {
                    s.append(", ").append(path).append(line == null ? "" : ":" + line);
                }
                return commit == null ? s.toString() : s.append(" (commit ").append(commit).append(')').toString();
            }
            return "report by " + reporter + (url == null ? "" : ": " + url);
        }
    }

    /** One candidate key and where it was found. */
    public record Sighting(String token, Place place) {
        @Override
        public String toString() {
            return "Sighting[token=…, place=" + place + "]"; // never the key
        }
    }

    /**
     * What became of one sighting.
     *
     * @param keyPrefix the display prefix of the candidate; null for a string that is not {@code kw_…}
     * @param live      it was a live key at the start of the call
     * @param revoked   this call revoked its token
     * @param org       the org of the key, when live
     */
    public record Verdict(String keyPrefix, boolean live, boolean revoked, String org) {
    }

    /** Handles every sighting of one call in one transaction; one verdict per sighting, in order. */
    public Uni<List<Verdict>> report(List<Sighting> sightings) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        // The checksum rejects look-alikes without I/O; only real keys are hashed and looked up.
        List<String> hashes = new ArrayList<>(sightings.size());
        for (Sighting s : sightings) {
            hashes.add(ApiKeyFormat.parse(s.token()).isPresent() ? hasher.hash(s.token()) : null);
        }
        List<String> distinct = hashes.stream().filter(Objects::nonNull).distinct().toList();
        if (distinct.isEmpty()) {
            return Uni.createFrom().item(verdicts(sightings, hashes, Map.of(), Set.of()));
        }
        return Panache.withTransaction(() -> tokens.lockByKeyHashes(distinct)
                        .flatMap(locked -> act(sightings, hashes, live(locked, distinct), now)))
                .invoke(ignored -> relay.wakeUp());
    }

    /** The live token of each hash that is a live key (locked by the caller). */
    private static Map<String, TokenEntity> live(List<TokenEntity> locked, List<String> hashes) {
        Map<String, TokenEntity> live = new HashMap<>();
        for (String hash : hashes) {
            for (TokenEntity token : locked) {
                if (KeyHasher.sameSecret(token.keyHash, hash) || KeyHasher.sameSecret(token.previousKeyHash, hash)) {
                    KeyResolver.Resolution resolution = KeyResolver.judge(token, hash);
                    if (resolution.active()) {
                        live.put(hash, token);
                    }
                }
            }
        }
        return live;
    }

    private Uni<List<Verdict>> act(List<Sighting> sightings, List<String> hashes, Map<String, TokenEntity> live,
                                   Instant now) {
        if (live.isEmpty()) {
            return Uni.createFrom().item(verdicts(sightings, hashes, live, Set.of()));
        }
        // Orgs after tokens, in id order, as every revocation locks them.
        Set<String> orgIds = new TreeSet<>();
        live.values().forEach(t -> orgIds.add(t.orgId));
        Map<String, OrgEntity> lockedOrgs = new HashMap<>();
        Uni<Void> locking = Uni.createFrom().voidItem();
        for (String orgId : orgIds) {
            locking = locking.chain(() -> orgs.lockById(orgId).invoke(org -> lockedOrgs.put(orgId, org))).replaceWithVoid();
        }
        return locking.chain(() -> {
            // The first sighting of each token decides its events' place; tokens in order of first sighting.
            Map<String, Sighting> firstSighting = new LinkedHashMap<>();
            Map<String, String> prefixOfToken = new HashMap<>();
            Map<String, String> leakEventOfToken = new HashMap<>();
            Set<String> revoking = new HashSet<>();
            Set<String> recorded = new HashSet<>();
            Uni<Void> work = Uni.createFrom().voidItem();
            for (int i = 0; i < sightings.size(); i++) {
                TokenEntity token = hashes.get(i) == null ? null : live.get(hashes.get(i));
                if (token == null) {
                    continue;
                }
                Sighting sighting = sightings.get(i);
                firstSighting.putIfAbsent(token.id, sighting);
                prefixOfToken.putIfAbsent(token.id, ApiKeyFormat.prefixOf(sighting.token()));
                String leakAction = leakAction(lockedOrgs.get(token.orgId));
                boolean revokes = OrgPolicy.BLOCK_AND_REVOKE.equals(leakAction);
                if (revokes) {
                    revoking.add(token.id);
                }
                // A sighting repeated in one call (same key, same place) is one event.
                if (recorded.add(hashes.get(i) + "|" + sighting.place())) {
                    KeywardEvent event = TokenEvents.leaked(token, ApiKeyFormat.prefixOf(sighting.token()),
                            sighting.place(), leakAction, revokes, now);
                    leakEventOfToken.putIfAbsent(token.id, event.id());
                    work = work.chain(() -> outbox.append(event));
                }
            }
            for (Map.Entry<String, Sighting> first : firstSighting.entrySet()) {
                TokenEntity token = tokenOf(live, first.getKey());
                Place place = first.getValue().place();
                boolean revokes = revoking.contains(token.id);
                if (revokes) {
                    work = work.chain(() -> tokenService.revokeLocked(token,
                            TokenEvents.revokedForLeak(token, place, now), now));
                }
                ExpiryNotice notice = ExpiryNotice.leaked(leakEventOfToken.get(token.id), now.toString(), token.orgId, token.id,
                        prefixOfToken.get(token.id), token.name, place.describe(), revokes);
                work = work.chain(() -> notify(token, lockedOrgs.get(token.orgId), notice, now));
            }
            return work.replaceWith(() -> verdicts(sightings, hashes, live, revoking));
        });
    }

    /** Queues the leak notice: e-mail to the creator (else the org's contact), and the org's webhook. */
    private Uni<Void> notify(TokenEntity token, OrgEntity org, ExpiryNotice notice, Instant now) {
        if (org == null) {
            return Uni.createFrom().voidItem();
        }
        String email = token.notifyEmail != null && !token.notifyEmail.isBlank() ? token.notifyEmail : org.contactEmail;
        boolean mail = email != null && !email.isBlank();
        boolean hook = org.webhookUrl != null && !org.webhookUrl.isBlank() && org.webhookSecret != null;
        if (!mail && !hook) {
            LOG.warnf("token %s (%s…) was found exposed but its org %s has no address to tell", token.id,
                    notice.keyPrefix(), token.orgId);
            return Uni.createFrom().voidItem();
        }
        return Panache.getSession().flatMap(session -> {
            Uni<Void> queued = Uni.createFrom().voidItem();
            if (mail) {
                queued = queued.chain(() -> NotificationDispatcher.enqueue(session, notice,
                        NotificationDispatcher.EMAIL, email, now));
            }
            if (hook) {
                queued = queued.chain(() -> NotificationDispatcher.enqueue(session, notice,
                        NotificationDispatcher.WEBHOOK, org.webhookUrl, now));
            }
            return queued;
        });
    }

    private static String leakAction(OrgEntity org) {
        return org == null ? OrgPolicy.DEFAULT.leakAction() : org.policy().leakAction();
    }

    private static TokenEntity tokenOf(Map<String, TokenEntity> live, String id) {
        return live.values().stream().filter(t -> t.id.equals(id)).findFirst().orElseThrow();
    }

    private static List<Verdict> verdicts(List<Sighting> sightings, List<String> hashes, Map<String, TokenEntity> live,
                                          Set<String> revoked) {
        List<Verdict> verdicts = new ArrayList<>(sightings.size());
        for (int i = 0; i < sightings.size(); i++) {
            String candidate = sightings.get(i).token();
            String prefix = ApiKeyFormat.looksLikeApiKey(candidate) ? ApiKeyFormat.prefixOf(candidate) : null;
            TokenEntity token = hashes.get(i) == null ? null : live.get(hashes.get(i));
            verdicts.add(token == null ? new Verdict(prefix, false, false, null)
                    : new Verdict(prefix, true, revoked.contains(token.id), token.orgId));
        }
        return verdicts;
    }
}
