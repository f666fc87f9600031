package dev.keyward.token.exchange;

import dev.keyward.contract.RefusalReason;

/**
 * A refused token exchange, answered as an RFC 6749 error ({@code {error, error_description}}):
 * the token endpoint's vocabulary, not the control plane's. The description is safe to return and
 * never quotes the presented token.
 */
public final class ExchangeRefusal extends RuntimeException {

    private final int status;
    private final String error;
    private final RefusalReason reason;

    private ExchangeRefusal(int status, String error, RefusalReason reason, String description) {
        super(description, null, false, false);
        this.status = status;
        this.error = error;
        this.reason = reason;
    }

    /** A missing or malformed parameter, or a TTL above what the policy allows. */
    public static ExchangeRefusal invalidRequest(String description) {
        return new ExchangeRefusal(400, "invalid_request", RefusalReason.MALFORMED, description);
    }

    public static ExchangeRefusal unsupportedGrantType(String description) {
        return new ExchangeRefusal(400, "unsupported_grant_type", RefusalReason.MALFORMED, description);
    }

    /** The presented token is not valid, or no trust policy of the org accepts it. */
    public static ExchangeRefusal invalidGrant(String description) {
        return invalidGrant(RefusalReason.INVALID_CLAIMS, description);
    }

    /** @param reason what the {@code auth:failed} event records (bad signature, unknown kid, expired, ...) */
    public static ExchangeRefusal invalidGrant(RefusalReason reason, String description) {
        return new ExchangeRefusal(400, "invalid_grant", reason, description);
    }

    /** The audience (the org) is unknown or does not accept exchanges now. */
    public static ExchangeRefusal invalidTarget(RefusalReason reason, String description) {
        return new ExchangeRefusal(400, "invalid_target", reason, description);
    }

    public static ExchangeRefusal invalidScope(String description) {
        return new ExchangeRefusal(400, "invalid_scope", RefusalReason.SCOPE, description);
    }

    /** The issuer's keys cannot be fetched, or this service cannot sign: worth retrying later. */
    public static ExchangeRefusal unavailable(String description) {
        return new ExchangeRefusal(503, "temporarily_unavailable", RefusalReason.UNAVAILABLE, description);
    }

    public int status() {
        return status;
    }

    public String error() {
        return error;
    }

    /** Why, for the {@code auth:failed} event; {@link RefusalReason#UNAVAILABLE} is not the caller's failure. */
    public RefusalReason reason() {
        return reason;
    }

    public String description() {
        return getMessage();
    }
}
