package dev.keyward.verification;

import dev.keyward.contract.RefusalReason;
import java.time.Duration;
import java.util.Objects;

/** The outcome of verifying a presented token: a principal, or a precise refusal. */
public sealed interface Verification permits Verification.Verified, Verification.Refused {

    static Verification verified(VerifiedPrincipal principal) {
        return new Verified(principal);
    }

    public static Refused refused(RefusalReason reason, String message) {
        return new Refused(reason, message, null, null, null);
    }

    /** A token that proved who is calling. */
    record Verified(VerifiedPrincipal principal) implements Verification {
        public Verified {
            Objects.requireNonNull(principal, "principal");
        }
    }

    /**
     * A refusal. The message is safe to return to the caller and to log: it never holds the token.
     *
     * @param keyPrefix the API key's display prefix when one could be read, for {@code auth:failed}
     * @param org       the token's org when it is known (e.g. a JWT's {@code iss})
     * @param tokenId   the token id when it is known
     * @param retryAfter for {@link RefusalReason#RATE_LIMITED}: when to try again (the {@code Retry-After} header)
     */
    record Refused(RefusalReason reason, String message, String keyPrefix, String org, String tokenId, Duration retryAfter)
            implements Verification {
        public Refused {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(message, "message");
        }

        public Refused(RefusalReason reason, String message, String keyPrefix, String org, String tokenId) {
            this(reason, message, keyPrefix, org, tokenId, null);
        }

        public Refused withKeyPrefix(String prefix) {
            return new Refused(reason, message, prefix, org, tokenId, retryAfter);
        }

        public Refused withOrg(String value) {
            return new Refused(reason, message, keyPrefix, value, tokenId, retryAfter);
        }

        public Refused withTokenId(String value) {
            return new Refused(reason, message, keyPrefix, org, value, retryAfter);
        }

        public Refused withRetryAfter(Duration value) {
            return new Refused(reason, message, keyPrefix, org, tokenId, value);
        }
    }
}
