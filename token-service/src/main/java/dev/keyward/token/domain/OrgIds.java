package dev.keyward.token.domain;

import dev.keyward.contract.ApiException;
import java.util.regex.Pattern;

/** Org ids: what a new org may be called, and the one reserved for platform operators. */
public final class OrgIds {

    /**
     * Where platform keys live. The underscore keeps it out of reach of {@code POST /v1/orgs}; it
     * never appears in org listings and holds no repositories or trail of its own.
     */
    public static final String PLATFORM = "_platform";

    /** Lower-case letters, digits and inner dashes, 2–63 characters: safe in URLs, git paths and DNS labels. */
    private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9-]{0,61}[a-z0-9]");
    private static final Pattern EMAIL = Pattern.compile("[^\\s@<>\"',;]{1,64}@[A-Za-z0-9.-]{1,190}\\.[A-Za-z]{2,63}");

    private OrgIds() {
    }

    /** @throws ApiException 422 naming {@code id} when it is not a valid new org id */
    public static String checkNew(String id) {
        if (id == null || !ID.matcher(id).matches()) {
            throw ApiException.invalid("id must be 2-63 characters of a-z, 0-9 and inner '-' (e.g. 'team-blue')");
        }
        return id;
    }

    /** @throws ApiException 422 naming {@code field} unless it looks like an e-mail address (null passes) */
    public static String checkEmail(String field, String email) {
        if (email != null && (email.length() > 254 || !EMAIL.matcher(email).matches())) {
            throw ApiException.invalid(field + " is not an e-mail address");
        }
        return email;
    }
}
