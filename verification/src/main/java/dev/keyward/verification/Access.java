package dev.keyward.verification;

import dev.keyward.contract.Permission;
import java.util.Objects;

/**
 * What a request wants to do, for {@link RequestAuthorizer}.
 *
 * @param org        the org that owns the resource (e.g. from a git URL); null when the resource is
 *                   simply "the caller's org" (the REST APIs)
 * @param permission the permission needed
 * @param repo       the repository, for repository permissions; null for org-level ones
 * @param operation  what to record in events; the permission's wire name when null
 * @param push       a git push: its use is never folded with others, and when allowed it is reported
 *                   by {@link RequestAuthorizer#reportPush} once the refs it updated are known
 */
public record Access(String org, Permission permission, String repo, String operation, boolean push) {

    public Access {
        Objects.requireNonNull(permission, "permission");
        if (operation == null) {
            operation = permission.wireName();
        }
    }

    public Access(String org, Permission permission, String repo, String operation) {
        this(org, permission, repo, operation, false);
    }

    /** An org-level permission in the caller's own org. */
    public static Access org(Permission permission) {
        return new Access(null, permission, null, null);
    }

    /** A permission on one repository of the caller's own org. */
    public static Access repo(Permission permission, String repo) {
        return new Access(null, permission, Objects.requireNonNull(repo, "repo"), null);
    }

    /** A permission on one repository of a named org (the git URL's org). */
    public static Access repoOf(String org, Permission permission, String repo) {
        return new Access(Objects.requireNonNull(org, "org"), permission, Objects.requireNonNull(repo, "repo"), null);
    }

    /** A git push ({@code git:write}) to one repository of a named org. */
    public static Access pushTo(String org, String repo) {
        return new Access(Objects.requireNonNull(org, "org"), Permission.GIT_WRITE, Objects.requireNonNull(repo, "repo"), null,
                true);
    }
}
