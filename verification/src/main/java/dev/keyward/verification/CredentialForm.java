package dev.keyward.verification;

/** The forms a Keyward token takes. */
public enum CredentialForm {
    /** An issued opaque key {@code kw_<env>_<kind>_…}, verified by introspection. */
    API_KEY,
    /** A JWT signed by the org with one of its registered public keys. */
    CUSTOMER_JWT,
    /** A JWT Keyward signed, issued by token exchange to a workload ({@link dev.keyward.contract.ExchangedToken}). */
    EXCHANGED
}
