package dev.keyward.verification;

import dev.keyward.contract.RefusalReason;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Verifies a request's credential and decides one {@link Access}, emitting the events the contract
 * asks for:
 * <ul>
 *   <li>allowed → {@code token:used} with outcome {@code success};</li>
 *   <li>a good token without the permission, or for another org → {@code token:used} with outcome
 *       {@code denied} and reason {@code scope} / {@code wrong_org} (403);</li>
 *   <li>a refused credential (bad, unknown, revoked, expired, CIDR...) → {@code auth:failed} with the
 *       reason and the key prefix when there is one (401, or 403 for CIDR);</li>
 *   <li>no credential at all → no event: git's first request is always anonymous.</li>
 * </ul>
 * Uses may be folded with identical ones of the same window; a push ({@link Access#push()}) never is,
 * and an allowed push is reported by the caller through {@link #reportPush} once its refs moved.
 */
public final class RequestAuthorizer {

    private final TokenVerifier verifier;
    private final UseEvents events;

    /** @param events null to emit nothing */
    public RequestAuthorizer(TokenVerifier verifier, UseEvents events) {
        this.verifier = verifier;
        this.events = events;
    }

    /** The decision: a principal allowed to do {@code access}, or why not. */
    public record Decision(VerifiedPrincipal principal, Verification.Refused refusal) {

        public boolean allowed() {
            return refusal == null;
        }
    }

    public CompletionStage<Decision> authorize(PresentedCredential credential, String clientIp, Access access) {
        // The use's event belongs to the request's trace, also when introspection finishes on another thread.
        return verifier.verify(credential, clientIp).thenApply(TracePropagation.carried(v -> decide(v, clientIp, access)));
    }

    /** Decides on an already verified credential (e.g. one verified earlier in the same request). */
    public Decision decide(Verification verification, String clientIp, Access access) {
        if (verification instanceof Verification.Refused refused) {
            reportRefused(refused, clientIp, access);
            return new Decision(null, refused);
        }
        VerifiedPrincipal p = ((Verification.Verified) verification).principal();
        Verification.Refused denial = null;
        if (access.org() != null && !access.org().equals(p.org())) {
            denial = Verification.refused(RefusalReason.WRONG_ORG, "the token belongs to another org");
        } else if (access.repo() != null ? !p.allowsRepo(access.permission(), access.repo())
                : !p.allowsOrg(access.permission())) {
            denial = Verification.refused(RefusalReason.SCOPE, "the token does not grant " + access.permission().wireName()
                    + (access.repo() != null ? " on repository " + access.repo() : ""));
        }
        if (denial != null) {
            denial = denial.withKeyPrefix(p.keyPrefix()).withOrg(p.org()).withTokenId(p.tokenId());
        }
        if (events != null && access.push() && denial != null) {
            events.pushed(p, access.operation(), access.repo(), clientIp, UseEvents.DENIED, denial.reason(), List.of());
        } else if (events != null && !access.push()) {
            events.used(p, access.operation(), access.repo(), clientIp,
                    denial == null ? UseEvents.SUCCESS : UseEvents.DENIED, denial == null ? null : denial.reason());
        }
        return new Decision(denial == null ? p : null, denial);
    }

    /**
     * Reports a push that {@link #decide} allowed, once it is over: {@code refs} are the refs it
     * updated; {@code cutOff} is the refusal that stopped it midway (none moved then), or null.
     */
    public void reportPush(VerifiedPrincipal principal, Access access, String clientIp, List<UseEvents.RefUpdate> refs,
                           Verification.Refused cutOff) {
        if (events != null) {
            events.pushed(principal, access.operation(), access.repo(), clientIp,
                    cutOff == null ? UseEvents.SUCCESS : UseEvents.DENIED, cutOff == null ? null : cutOff.reason(), refs);
        }
    }

    /**
     * Emits {@code auth:failed} for a refused credential (none for a missing one), as {@link #decide}
     * does; for callers that only authenticate. {@code access} may be null when no operation is known.
     */
    public void reportRefused(Verification.Refused refused, String clientIp, Access access) {
        if (refused.reason() != RefusalReason.MISSING && events != null) {
            events.authFailed(refused, access == null ? null : access.operation(), access == null ? null : access.repo(),
                    clientIp, access == null ? null : access.org());
        }
    }
}
