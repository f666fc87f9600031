package dev.keyward.token.service;

import dev.keyward.token.auth.Caller;
import dev.keyward.token.domain.PublicJwk;
import dev.keyward.token.error.ApiException;
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

    public PublicKeyService(PublicKeyRepository keys, OrgRepository orgs) {
        this.keys = keys;
        this.orgs = orgs;
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
                    row.jwk = JsonColumns.write(jwk.jwk());
                    row.createdAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
                    return keys.persist(row).replaceWith(jwk.jwk());
                }));
    }

    public Uni<List<Map<String, String>>> list(Caller caller, String org) {
        requireOwnOrg(caller, org);
        return publicKeysOf(org);
    }

    /** The org's public JWKs, for verifiers; an unknown org has none. */
    public Uni<List<Map<String, String>>> publicKeysOf(String org) {
        return Panache.withSession(() -> keys.listForOrg(org))
                .map(rows -> rows.stream().map(row -> JsonColumns.stringMap(row.jwk)).toList());
    }

    public Uni<Void> delete(Caller caller, String org, String kid) {
        requireOwnOrg(caller, org);
        return Panache.withTransaction(() -> keys.findByKid(org, kid).flatMap(row -> {
            if (row == null) {
                throw ApiException.notFound("no key with this kid in this org");
            }
            return keys.delete(row);
        }));
    }

    // Another org's keys answer like a missing org, so ids of other orgs are not revealed.
    private static void requireOwnOrg(Caller caller, String org) {
        if (!caller.org().equals(org)) {
            throw ApiException.notFound("org not found");
        }
    }
}
