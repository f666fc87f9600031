package dev.keyward.verification;

/** The two forms a Keyward token takes. */
public enum CredentialForm {
    /** An issued opaque key {@code kw_<env>_<kind>_…}, verified by introspection. */
    API_KEY,
    /** A JWT signed by the org with one of its registered public keys. */
    CUSTOMER_JWT
}
