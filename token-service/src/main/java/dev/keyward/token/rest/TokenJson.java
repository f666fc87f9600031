package dev.keyward.token.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.keyward.contract.ApiException;
import dev.keyward.token.domain.TokenRules;
import dev.keyward.token.repository.TokenEntity;
import dev.keyward.token.service.IssuedToken;
import dev.keyward.token.service.NewToken;
import dev.keyward.token.service.Revocation;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** JSON bodies of the token endpoints (wire names are SPEC's). */
final class TokenJson {

    private TokenJson() {
    }

    /**
     * {@code POST /v1/tokens}: Keyward's shape ({@code kind} optional), or the githosted one accepted
     * as an alias ({@code permission} + {@code repoAllowlist} instead of {@code scopes},
     * {@code ttlHours} instead of {@code expires_in}, {@code kind: "workspace"} for {@code org}).
     */
    @Schema(name = "TokenCreateRequest", example = """
            {"name": "ci", "kind": "repo", "scopes": {"repos:team/*": ["git:read", "git:write"]}, \
            "expires_in": 86400, "allowed_cidrs": ["203.0.113.0/24"], "environment": "prod"}""")
    record CreateRequest(String name, String kind, Map<String, List<String>> scopes,
                         @JsonProperty("expires_in") Long expiresIn,
                         @JsonProperty("allowed_cidrs") List<String> allowedCidrs,
                         String environment,
                         String permission, List<String> repoAllowlist, Long ttlHours) {

        /** The request in Keyward's terms; 422 when it mixes the two shapes. */
        NewToken toNewToken() {
            boolean allowlistShape = permission != null || repoAllowlist != null;
            if (allowlistShape && scopes != null) {
                throw ApiException.invalid("use either 'scopes' or 'permission' with 'repoAllowlist', not both");
            }
            if (ttlHours != null && expiresIn != null) {
                throw ApiException.invalid("use either 'expires_in' or 'ttlHours', not both");
            }
            Map<String, List<String>> wireScopes = allowlistShape
                    ? TokenRules.allowlistScopes(permission, repoAllowlist) : scopes;
            Long seconds = ttlHours != null ? TokenRules.ttlHoursAsSeconds(ttlHours) : expiresIn;
            return new NewToken(name, TokenRules.requestedKind(kind, wireScopes), wireScopes, seconds,
                    allowedCidrs, environment);
        }
    }

    record RotateRequest(@JsonProperty("grace_seconds") Long graceSeconds) {
    }

    record CreatedByView(@JsonProperty("user_id") String userId, String name,
                         @JsonProperty("token_prefix") String tokenPrefix) {
    }

    record TokenView(String id, String org, @JsonProperty("key_prefix") String keyPrefix, String name, String kind,
                     Map<String, List<String>> scopes, @JsonProperty("allowed_cidrs") List<String> allowedCidrs,
                     String environment, @JsonProperty("created_at") Instant createdAt,
                     @JsonProperty("expires_at") Instant expiresAt, @JsonProperty("revoked_at") Instant revokedAt,
                     @JsonProperty("rotated_at") Instant rotatedAt,
                     @JsonProperty("last_used_at") Instant lastUsedAt,
                     @JsonProperty("created_by") CreatedByView createdBy) {

        static TokenView of(TokenEntity t) {
            return new TokenView(t.id, t.orgId, t.keyPrefix, t.name, t.kind.wireName(), t.scopes.toWire(),
                    t.allowedCidrs, t.environment.wireName(), t.createdAt, t.expiresAt, t.revokedAt,
                    t.rotatedAt, t.lastUsedAt,
                    new CreatedByView(t.createdByUserId, t.createdByName, t.createdByTokenPrefix));
        }
    }

    /** The one response that holds a raw key. */
    record IssuedView(String id, String token, @JsonProperty("key_prefix") String keyPrefix, String name,
                      String kind, Map<String, List<String>> scopes, String environment,
                      @JsonProperty("allowed_cidrs") List<String> allowedCidrs,
                      @JsonProperty("expires_at") Instant expiresAt, @JsonProperty("created_at") Instant createdAt) {

        static IssuedView of(IssuedToken issued) {
            TokenEntity t = issued.token();
            return new IssuedView(t.id, issued.key(), t.keyPrefix, t.name, t.kind.wireName(), t.scopes.toWire(),
                    t.environment.wireName(), t.allowedCidrs, t.expiresAt, t.createdAt);
        }

        @Override
        public String toString() {
            return "IssuedView[" + id + "]";
        }
    }

    record RotatedView(String id, String token, @JsonProperty("key_prefix") String keyPrefix,
                       @JsonProperty("previous_key_prefix") String previousKeyPrefix,
                       @JsonProperty("previous_key_expires_at") Instant previousKeyExpiresAt,
                       @JsonProperty("expires_at") Instant expiresAt,
                       @JsonProperty("rotated_at") Instant rotatedAt) {

        static RotatedView of(IssuedToken issued) {
            TokenEntity t = issued.token();
            return new RotatedView(t.id, issued.key(), t.keyPrefix, t.previousKeyPrefix, t.previousKeyExpiresAt,
                    t.expiresAt, t.rotatedAt);
        }

        @Override
        public String toString() {
            return "RotatedView[" + id + "]";
        }
    }

    record PageView(List<TokenView> tokens, @JsonProperty("next_page_token") String nextPageToken) {
    }

    /** {@code DELETE /v1/tokens/{id}}: {@code revoked_count} only with {@code cascade=true}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record RevokedView(String id, boolean revoked, @JsonProperty("revoked_count") Integer revokedCount) {

        static RevokedView of(TokenEntity token) {
            return new RevokedView(token.id, true, null);
        }

        static RevokedView of(Revocation revocation) {
            return new RevokedView(revocation.id(), true, revocation.revoked().size());
        }
    }

    record ExportView(String org, @JsonProperty("exported_at") Instant exportedAt, int count, List<TokenView> tokens) {
    }
}
