package dev.keyward.token.service;

import dev.keyward.contract.ApiException;
import dev.keyward.token.domain.Caller;
import dev.keyward.token.domain.PublicJwk;
import dev.keyward.token.repository.OrgRepository;
import dev.keyward.token.repository.PublicKeyEntity;
import dev.keyward.token.repository.PublicKeyRepository;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Customer public keys (JWKs) that verifiers use for customer-signed JWTs. One org never sees another's. */
@ApplicationScoped
public class PublicKeyService {

    private final PublicKeyRepository keys;
    private final OrgRepository orgs;

    private final EventOutbox outbox;
    private final dev.keyward.token.outbox.OutboxRelay relay;

    public PublicKeyService(PublicKeyRepository keys, OrgRepository orgs, EventOutbox outbox,
                            dev.keyward.token.outbox.OutboxRelay relay) {
        this.keys = keys;
        this.orgs = orgs;
        this.outbox = outbox;
        this.relay = relay;
    }

    /** Registers a key in the caller's org; 409 when the kid is taken there. */
    public Uni<Map<String, String>> register(Caller caller, String org, Map<String, Object> raw) {
        requireOwnOrg(caller, org);
        PublicJwk jwk = PublicJwk.parse(raw);
        // The org row lock serialises registrations, so the kid check cannot race.
        return Panache.withTransaction(() -> orgs.lockById(org)
                .flatMap(locked -> keys.findByKid(org, jwk.kid()))
                .flatMap(existing -> {
                    if (existing != null) {
                        throw ApiException.conflict("duplicate_kid", "a key with this kid is already registered");
                    }
                    PublicKeyEntity row = new PublicKeyEntity();
                    row.id = UUID.randomUUID().toString();
                    row.orgId = org;
                    row.kid = jwk.kid();
                    row.alg = jwk.alg();
                    row.jwk = jwk.jwk();
                    row.createdAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
                    return keys.persist(row)
                            .call(() -> outbox.append(keyChanged(caller, org, jwk.kid(), null, jwk.alg(), row.createdAt)))
                            .replaceWith(jwk.jwk());
                })).invoke(ignored -> relay.wakeUp());
    }

    public Uni<List<Map<String, String>>> list(Caller caller, String org) {
        requireOwnOrg(caller, org);
        return publicKeysOf(org);
    }

    /** The org's public JWKs, for verifiers; an unknown org has none. */
    public Uni<List<Map<String, String>>> publicKeysOf(String org) {
        return Panache.withSession(() -> keys.listForOrg(org))
                .map(rows -> rows.stream().map(row -> row.jwk).toList());
    }

    public Uni<Void> delete(Caller caller, String org, String kid) {
        requireOwnOrg(caller, org);
        return Panache.withTransaction(() -> keys.findByKid(org, kid).flatMap(row -> {
            if (row == null) {
                throw ApiException.notFound("no key with this kid in this org");
            }
            return keys.delete(row).call(() -> outbox.append(keyChanged(caller, org, kid, row.alg, null,
                    Instant.now().truncatedTo(ChronoUnit.MICROS))));
        })).invoke(ignored -> relay.wakeUp());
    }

    /** {@code policy:changed} with {@code what: key}: the kid's alg before and after (null: absent). */
    private static dev.keyward.events.KeywardEvent keyChanged(Caller caller, String org, String kid, String before,
                                                             String after, Instant now) {
        Map<String, Object> was = new java.util.HashMap<>();
        was.put("kid:" + kid, before);
        Map<String, Object> is = new java.util.HashMap<>();
        is.put("kid:" + kid, after);
        return OrgEvents.policyChanged(caller, org, "key", was, is, now);
    }

    // Another org's keys answer like a missing org, so ids of other orgs are not revealed.
    private static void requireOwnOrg(Caller caller, String org) {
        if (!caller.org().equals(org)) {
            throw ApiException.notFound("org not found");
        }
    }
}
