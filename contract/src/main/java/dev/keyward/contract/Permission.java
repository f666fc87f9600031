package dev.keyward.contract;

import java.util.Arrays;
import java.util.Optional;

/** The permission vocabulary of Keyward. The only place these names are defined. */
public enum Permission {
    GIT_READ("git:read", true),
    GIT_WRITE("git:write", true),
    REPO_WRITE("repo:write", false),
    ORG_READ("org:read", false),
    TOKEN_WRITE("token:write", false),
    AUDIT_READ("audit:read", false),
    /** The org's policy, notification settings, customer keys and trust policies. */
    ORG_ADMIN("org:admin", false),
    /** Platform operators: list and read orgs. */
    ORGS_READ("orgs:read", false),
    /** Platform operators: create, suspend, resume and delete orgs, set their caps. */
    ORGS_WRITE("orgs:write", false);

    private final String wireName;
    private final boolean git;

    Permission(String wireName, boolean git) {
        this.wireName = wireName;
        this.git = git;
    }

    public String wireName() {
        return wireName;
    }

    /** Whether a repo-kind token may hold it. */
    public boolean isGit() {
        return git;
    }

    /** Whether only platform tokens may hold it ({@code orgs:*}). */
    public boolean isPlatform() {
        return this == ORGS_READ || this == ORGS_WRITE;
    }

    /** Whether holding this permission also grants {@code other} ({@code git:write} implies read, {@code orgs:write} implies read). */
    public boolean implies(Permission other) {
        return this == other || (this == GIT_WRITE && other == GIT_READ) || (this == ORGS_WRITE && other == ORGS_READ);
    }

    /** Parses a wire name, accepting {@code read}/{@code write} as shorthand for the git permissions. */
    public static Optional<Permission> parse(String name) {
        if (name == null) {
            return Optional.empty();
        }
        return switch (name) {
            case "read" -> Optional.of(GIT_READ);
            case "write" -> Optional.of(GIT_WRITE);
            default -> Arrays.stream(values()).filter(p -> p.wireName.equals(name)).findFirst();
        };
    }
}
