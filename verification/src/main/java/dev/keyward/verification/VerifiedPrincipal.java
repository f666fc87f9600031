package dev.keyward.verification;

import dev.keyward.contract.CidrBlock;
import dev.keyward.contract.Permission;
import dev.keyward.contract.Scopes;
import dev.keyward.contract.TokenKind;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Who is calling, after the token was verified. Holds no secret.
 *
 * @param org          the org the token belongs to
 * @param subject      for API keys the creator (user id or token id); for JWTs the {@code sub} claim
 * @param tokenId      {@code tok_…} for API keys; {@code jwt:<org>:<kid>:<jti or hash>} for customer JWTs;
 *                     the {@code jti} ({@code xtok_…}) for exchanged tokens
 * @param kind         what the token may reach
 * @param scopes       what it may do
 * @param expiresAt    when it stops working; null for never
 * @param keyPrefix    the API key's display prefix; null for JWTs
 * @param allowedCidrs client ranges it may be used from; empty for anywhere
 * @param form         API key, customer-signed JWT or exchanged token
 * @param trustPolicy  for an exchanged token the trust policy that allowed it ({@code tp_…}); null otherwise
 */
public record VerifiedPrincipal(
        String org,
        String subject,
        String tokenId,
        TokenKind kind,
        Scopes scopes,
        Instant expiresAt,
        String keyPrefix,
        List<CidrBlock> allowedCidrs,
        CredentialForm form,
        String trustPolicy) {

    public VerifiedPrincipal {
        Objects.requireNonNull(org, "org");
        Objects.requireNonNull(tokenId, "tokenId");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(scopes, "scopes");
        Objects.requireNonNull(form, "form");
        allowedCidrs = allowedCidrs == null ? List.of() : List.copyOf(allowedCidrs);
    }

    /** Whether the scopes grant {@code permission} on repository {@code repoId} of this org. */
    public boolean allowsRepo(Permission permission, String repoId) {
        return scopes.allowsRepo(permission, repoId);
    }

    /** Whether the scopes grant an org-level permission; repo tokens never reach the org level. */
    public boolean allowsOrg(Permission permission) {
        return kind != TokenKind.REPO && scopes.allowsOrg(permission);
    }

    /** Whether a request from {@code clientIp} is within the allowlist (always, when there is none). */
    public boolean allowsClient(String clientIp) {
        return allowedCidrs.isEmpty() || allowedCidrs.stream().anyMatch(c -> c.contains(clientIp));
    }

    /** The time left when the token expires within {@code window} of {@code now}; empty otherwise. */
    public Optional<Duration> expiresWithin(Duration window, Instant now) {
        if (expiresAt == null) {
            return Optional.empty();
        }
        Duration left = Duration.between(now, expiresAt);
        return left.compareTo(window) <= 0 ? Optional.of(left) : Optional.empty();
    }
}
