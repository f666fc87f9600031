package dev.keyward.repo.git;

import dev.keyward.contract.Permission;
import dev.keyward.contract.RepoIds;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a git smart-HTTP request addresses: {@code /{org}/{repo id}.git/{service path}}, and the
 * permission it needs — {@code git:write} for {@code git-receive-pack} (and its ref discovery,
 * so a read-only token is refused before it uploads a pack), {@code git:read} for everything else.
 */
public record GitRequest(String org, String repoId, String servicePath, Permission permission) {

    // Greedy id, anchored on the git path suffixes, so an id like "a.git/b" stays whole.
    private static final Pattern PATH = Pattern.compile(
            "/([^/]+)/(.+)\\.git(/(?:info/refs|git-upload-pack|git-receive-pack|HEAD|objects/.+|info/.+)?)?");
    private static final Pattern ORG = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}");
    private static final String RECEIVE_PACK = "git-receive-pack";

    /** Parses a servlet path info and query string; empty when it is not a repository URL. */
    public static Optional<GitRequest> parse(String pathInfo, String serviceParameter) {
        if (pathInfo == null) {
            return Optional.empty();
        }
        Matcher m = PATH.matcher(pathInfo);
        if (!m.matches() || !ORG.matcher(m.group(1)).matches() || !RepoIds.isValid(m.group(2))) {
            return Optional.empty();
        }
        String rest = m.group(3) == null ? "" : m.group(3);
        boolean write = rest.equals("/" + RECEIVE_PACK) || (rest.equals("/info/refs") && RECEIVE_PACK.equals(serviceParameter));
        return Optional.of(new GitRequest(m.group(1), m.group(2), rest, write ? Permission.GIT_WRITE : Permission.GIT_READ));
    }

    /** Whether this is a push's {@code git-receive-pack} (not its ref discovery): the request that moves refs. */
    public boolean isPush() {
        return servicePath.equals("/" + RECEIVE_PACK);
    }

    /** Whether this request carries a pack: a clone's or fetch's {@code git-upload-pack}, a push's {@code git-receive-pack}. */
    public boolean streamsPack() {
        return servicePath.equals("/git-upload-pack") || servicePath.equals("/" + RECEIVE_PACK);
    }
}
