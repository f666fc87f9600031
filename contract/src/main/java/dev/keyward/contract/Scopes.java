package dev.keyward.contract;

import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * A token's scopes: resources mapped to permissions. The grammar, the only place it is defined:
 * <ul>
 *   <li>{@code repos:<id>} one repository; {@code repos:<prefix>/*} a namespace (any depth);
 *       {@code repos:*} every repository of the org;</li>
 *   <li>{@code org} the org itself ({@code org:read}, {@code token:write}, {@code audit:read},
 *       {@code org:admin}, {@code repo:write} anywhere); for platform tokens, {@code orgs:read} and
 *       {@code orgs:write}.</li>
 * </ul>
 * Repository resources may hold {@code git:read}, {@code git:write} and {@code repo:write};
 * {@code read}/{@code write} are shorthand for the git permissions. Immutable.
 */
public final class Scopes {

    public static final String ORG = "org";
    private static final String REPOS = "repos:";
    private static final Set<Permission> REPO_PERMISSIONS =
            EnumSet.of(Permission.GIT_READ, Permission.GIT_WRITE, Permission.REPO_WRITE);
    private static final int MAX_ENTRIES = 100;

    private final Map<String, Set<Permission>> grants;

    private Scopes(Map<String, Set<Permission>> grants) {
        this.grants = grants;
    }

    /**
     * Parses a scope map as it arrives on the wire.
     *
     * @throws ScopeSyntaxException with a message that says which entry is wrong
     */
    public static Scopes parse(Map<String, ? extends Collection<String>> wire) {
        if (wire == null || wire.isEmpty()) {
            throw new ScopeSyntaxException("scopes must name at least one resource");
        }
        if (wire.size() > MAX_ENTRIES) {
            throw new ScopeSyntaxException("scopes may name at most " + MAX_ENTRIES + " resources");
        }
        Map<String, Set<Permission>> grants = new TreeMap<>();
        for (Map.Entry<String, ? extends Collection<String>> e : wire.entrySet()) {
            String resource = e.getKey();
            checkResource(resource);
            if (e.getValue() == null || e.getValue().isEmpty()) {
                throw new ScopeSyntaxException("scope '" + resource + "' must list at least one permission");
            }
            Set<Permission> perms = EnumSet.noneOf(Permission.class);
            for (String name : e.getValue()) {
                Permission p = Permission.parse(name).orElseThrow(() -> new ScopeSyntaxException(
                        "unknown permission '" + name + "' in scope '" + resource + "'"));
                if (isRepoResource(resource) && !REPO_PERMISSIONS.contains(p)) {
                    throw new ScopeSyntaxException("permission '" + p.wireName()
                            + "' does not apply to repositories (scope '" + resource + "'); use the 'org' resource");
                }
                perms.add(p);
            }
            grants.put(resource, Set.copyOf(perms));
        }
        return new Scopes(Map.copyOf(grants));
    }

    private static void checkResource(String resource) {
        if (resource == null) {
            throw new ScopeSyntaxException("scope resource must not be null");
        }
        if (resource.equals(ORG)) {
            return;
        }
        if (!resource.startsWith(REPOS)) {
            throw new ScopeSyntaxException("unknown scope resource '" + resource
                    + "': use 'repos:<id>', 'repos:<prefix>/*', 'repos:*' or 'org'");
        }
        String pattern = resource.substring(REPOS.length());
        if (pattern.equals("*")) {
            return;
        }
        String id = pattern.endsWith("/*") ? pattern.substring(0, pattern.length() - 2) : pattern;
        RepoIds.problem(id).ifPresent(problem -> {
            throw new ScopeSyntaxException("bad scope resource '" + resource + "': " + problem);
        });
    }

    private static boolean isRepoResource(String resource) {
        return resource.startsWith(REPOS);
    }

    /** Whether these scopes grant {@code permission} on repository {@code repoId}. */
    public boolean allowsRepo(Permission permission, String repoId) {
        Objects.requireNonNull(repoId, "repoId");
        for (Map.Entry<String, Set<Permission>> e : grants.entrySet()) {
            boolean resourceMatches = e.getKey().equals(ORG)
                    ? permission == Permission.REPO_WRITE
                    : patternCovers(e.getKey().substring(REPOS.length()), repoId);
            if (resourceMatches && grants(e.getValue(), permission)) {
                return true;
            }
        }
        return false;
    }

    /** Whether these scopes grant an org-level {@code permission} (e.g. {@code token:write}). */
    public boolean allowsOrg(Permission permission) {
        Set<Permission> org = grants.get(ORG);
        return org != null && grants(org, permission);
    }

    /** Whether every grant of {@code this} is also granted by {@code holder} (the subset rule). */
    public boolean isSubsetOf(Scopes holder) {
        for (Map.Entry<String, Set<Permission>> e : grants.entrySet()) {
            for (Permission p : e.getValue()) {
                if (!holder.covers(e.getKey(), p)) {
                    return false;
                }
            }
        }
        return true;
    }

    /** The grants of {@code this} that {@code holder} does not have, as wire strings, for error messages. */
    public List<String> excessOver(Scopes holder) {
        List<String> excess = new ArrayList<>();
        grants.forEach((resource, perms) -> perms.stream().sorted()
                .filter(p -> !holder.covers(resource, p))
                .forEach(p -> excess.add(resource + "=" + p.wireName())));
        return excess;
    }

    private boolean covers(String resource, Permission permission) {
        for (Map.Entry<String, Set<Permission>> e : grants.entrySet()) {
            if (!grants(e.getValue(), permission)) {
                continue;
            }
            String held = e.getKey();
            if (held.equals(resource)) {
                return true;
            }
            if (held.equals(ORG) && permission == Permission.REPO_WRITE && isRepoResource(resource)) {
                return true;
            }
            if (isRepoResource(held) && isRepoResource(resource)
                    && patternContains(held.substring(REPOS.length()), resource.substring(REPOS.length()))) {
                return true;
            }
        }
        return false;
    }

    /** Whether a token of {@code kind} may hold these scopes; empty when it may, else the reason. */
    public java.util.Optional<String> problemForKind(TokenKind kind) {
        for (Map.Entry<String, Set<Permission>> e : grants.entrySet()) {
            boolean fits = switch (kind) {
                case REPO -> isRepoResource(e.getKey()) && e.getValue().stream().allMatch(Permission::isGit);
                case PLATFORM -> e.getKey().equals(ORG) && e.getValue().stream().allMatch(Permission::isPlatform);
                case ORG -> e.getValue().stream().noneMatch(Permission::isPlatform);
            };
            if (!fits) {
                return java.util.Optional.of(switch (kind) {
                    case REPO -> "repo tokens may only hold git:read and git:write on repository scopes";
                    case PLATFORM -> "platform tokens may only hold orgs:read and orgs:write on the 'org' resource";
                    case ORG -> "orgs:read and orgs:write belong to platform tokens only";
                });
            }
        }
        return java.util.Optional.empty();
    }

    /** The canonical wire form: shorthand expanded, resources and permissions sorted. */
    public Map<String, List<String>> toWire() {
        Map<String, List<String>> wire = new LinkedHashMap<>();
        new TreeMap<>(grants).forEach((resource, perms) ->
                wire.put(resource, perms.stream().sorted().map(Permission::wireName).toList()));
        return wire;
    }

    private static boolean grants(Set<Permission> held, Permission wanted) {
        for (Permission p : held) {
            if (p.implies(wanted)) {
                return true;
            }
        }
        return false;
    }

    /** Whether a repository pattern ({@code *}, {@code ns/*}, exact id) matches one repository id. */
    static boolean patternCovers(String pattern, String repoId) {
        if (pattern.equals("*")) {
            return true;
        }
        if (pattern.endsWith("/*")) {
            return repoId.startsWith(pattern.substring(0, pattern.length() - 1));
        }
        return pattern.equals(repoId);
    }

    /** Whether every id matched by {@code inner} is matched by {@code outer}. */
    static boolean patternContains(String outer, String inner) {
        if (outer.equals("*")) {
            return true;
        }
        if (inner.equals("*")) {
            return false;
        }
        if (inner.endsWith("/*")) {
            return outer.endsWith("/*") && inner.startsWith(outer.substring(0, outer.length() - 1));
        }
        return patternCovers(outer, inner);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Scopes other && grants.equals(other.grants);
    }

    @Override
    public int hashCode() {
        return grants.hashCode();
    }

    @Override
    public String toString() {
        return toWire().toString();
    }
}
