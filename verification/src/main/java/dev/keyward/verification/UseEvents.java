package dev.keyward.verification;

import dev.keyward.contract.RefusalReason;
import java.util.List;

/**
 * Where {@link RequestAuthorizer} reports each decision: {@code token:used} for a verified token,
 * {@code auth:failed} for a refused credential. The Quarkus adapter's {@code VerificationEvents}
 * delivers them to Kafka, folding identical uses of one window into one event with a count;
 * implementations must never block the request.
 */
public interface UseEvents {

    String SUCCESS = "success";
    String DENIED = "denied";
    String FAILURE = "failure";

    /**
     * A use of a verified token: {@code outcome} {@link #SUCCESS}, or {@link #DENIED} with the
     * {@code reason} (scope, wrong_org) when the token was good but not for this.
     */
    void used(VerifiedPrincipal principal, String operation, String repo, String clientIp, String outcome,
              RefusalReason reason);

    /**
     * A git push: always an event of its own (never folded), with the refs it updated ({@code refs}
     * empty when it was refused or moved nothing).
     */
    void pushed(VerifiedPrincipal principal, String operation, String repo, String clientIp, String outcome,
                RefusalReason reason, List<RefUpdate> refs);

    /** One ref a push moved: its full name, and the object ids before and after (zeros for none). */
    record RefUpdate(String name, String oldId, String newId) {
    }

    /** A refused credential. {@code orgHint} (e.g. from the URL) is used when the refusal does not know the org. */
    void authFailed(Verification.Refused refusal, String operation, String repo, String clientIp, String orgHint);
}
