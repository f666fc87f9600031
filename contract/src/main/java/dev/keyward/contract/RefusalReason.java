package dev.keyward.contract;

/**
 * Why a presented credential, or a request made with it, is refused. {@link #wireName()} is the
 * machine-readable reason in {@code auth:failed} events and in the {@code error} of error bodies;
 * {@link #httpStatus()} is the status a service answers with.
 */
public enum RefusalReason {
    /** No credential at all (git's first, anonymous request; answer with a Basic challenge). */
    MISSING("missing", 401),
    /** Not a Keyward key and not a compact JWS, or an ambiguous/unsupported Authorization header. */
    MALFORMED("malformed", 401),
    /** The API key shape is right but its checksum is not. */
    BAD_CHECKSUM("bad_checksum", 401),
    UNKNOWN("unknown", 401),
    REVOKED("revoked", 401),
    EXPIRED("expired", 401),
    NOT_YET_VALID("not_yet_valid", 401),
    BAD_SIGNATURE("bad_signature", 401),
    UNKNOWN_KID("unknown_kid", 401),
    FORBIDDEN_ALG("forbidden_alg", 401),
    /** A signed JWT whose claims break the rules (missing sub, bad scopes, bad repo id...). */
    INVALID_CLAIMS("invalid_claims", 401),
    /** The token belongs to another org than the resource. */
    WRONG_ORG("wrong_org", 403),
    /** The client address is outside the token's {@code allowed_cidrs}. */
    CIDR("cidr", 403),
    /** The token's scopes do not grant the permission on the resource. */
    SCOPE("scope", 403),
    /** The token's org is suspended (or deleted) by a platform operator. */
    ORG_SUSPENDED("org_suspended", 403),
    /** Too many requests for the token, or too many failed authentications from the client address. */
    RATE_LIMITED("rate_limited", 429),
    /** The token service could not be asked (introspection or key fetch failed). */
    UNAVAILABLE("unavailable", 503);

    private final String wireName;
    private final int httpStatus;

    RefusalReason(String wireName, int httpStatus) {
        this.wireName = wireName;
        this.httpStatus = httpStatus;
    }

    public String wireName() {
        return wireName;
    }

    public int httpStatus() {
        return httpStatus;
    }

    /** Whether the credential itself was refused (as opposed to the request made with a good one). */
    public boolean isAuthentication() {
        return httpStatus == 401;
    }
}
