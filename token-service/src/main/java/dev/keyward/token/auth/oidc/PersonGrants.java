package dev.keyward.token.auth.oidc;

import dev.keyward.contract.Permission;
import dev.keyward.contract.Scopes;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What a person signed in through OIDC may do, from their realm roles. This is the ceiling the
 * subset rule checks their new tokens against.
 * <ul>
 *   <li>{@code org-admin}: everything in their org ({@link #ADMIN_SCOPES}: git and repo:write on
 *       every repository; org:read, token:write, audit:read) and all of the org's tokens.</li>
 *   <li>{@code org-member}: git:read and git:write on every repository and org:read
 *       ({@link #MEMBER_SCOPES}); only the tokens they created. They cannot grant token:write,
 *       repo:write or audit:read.</li>
 *   <li>{@code keyward-operator}: {@code orgs:read} and {@code orgs:write} ({@link #OPERATOR_SCOPES}),
 *       and nothing inside any org. It wins over the org roles.</li>
 * </ul>
 * Anyone else (no Keyward role) is refused.
 *
 * @param role    the role the grants come from (org-admin wins over org-member)
 * @param scopes  what the person holds, as scopes
 * @param ownOnly whether only the person's own tokens are visible and manageable
 */
public record PersonGrants(String role, Scopes scopes, boolean ownOnly) {

    public static final String ORG_ADMIN = "org-admin";
    public static final String ORG_MEMBER = "org-member";
    /** Platform operators: create, suspend and delete orgs; nothing inside any org. */
    public static final String OPERATOR = "keyward-operator";

    public static final Map<String, List<String>> ADMIN_SCOPES = Map.of(
            "repos:*", List.of("git:read", "git:write", "repo:write"),
            "org", List.of("org:read", "token:write", "audit:read", "org:admin"));
    public static final Map<String, List<String>> OPERATOR_SCOPES = Map.of("org", List.of("orgs:read", "orgs:write"));
    public static final Map<String, List<String>> MEMBER_SCOPES = Map.of(
            "repos:*", List.of("git:read", "git:write"),
            "org", List.of("org:read"));

    /** The grants of a person with these realm roles; empty when none of them is a Keyward role. */
    public static Optional<PersonGrants> of(Set<String> roles) {
        if (roles.contains(OPERATOR)) {
            return Optional.of(new PersonGrants(OPERATOR, Scopes.parse(OPERATOR_SCOPES), false));
        }
        if (roles.contains(ORG_ADMIN)) {
            return Optional.of(new PersonGrants(ORG_ADMIN, Scopes.parse(ADMIN_SCOPES), false));
        }
        if (roles.contains(ORG_MEMBER)) {
            return Optional.of(new PersonGrants(ORG_MEMBER, Scopes.parse(MEMBER_SCOPES), true));
        }
        return Optional.empty();
    }

    /**
     * Whether the person may make a control-plane call that needs {@code permission}. Managing
     * tokens ({@code token:write}) is open to both roles, since a member manages their own; any
     * other permission must be in the person's scopes.
     */
    public boolean allows(Permission permission) {
        return (permission == Permission.TOKEN_WRITE && !operator()) || scopes.allowsOrg(permission);
    }

    /** Whether this is a platform operator (whose org is the platform's, not the {@code org} claim). */
    public boolean operator() {
        return OPERATOR.equals(role);
    }
}
