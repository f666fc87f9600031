package dev.keyward.contract;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The repository id rules: 1–200 characters of {@code [A-Za-z0-9._/-]}, segments separated by
 * single slashes, no {@code .} or {@code ..} segment, no leading or trailing slash, no
 * {@code .git} suffix (it is the URL's), so an id can never leave the repository root.
 */
public final class RepoIds {

    public static final int MAX_LENGTH = 200;
    private static final Pattern CHARS = Pattern.compile("[A-Za-z0-9._/-]+");

    private RepoIds() {
    }

    /** Why {@code id} is not a valid repository id, or empty when it is. */
    public static Optional<String> problem(String id) {
        if (id == null || id.isEmpty()) {
            return Optional.of("repository id must not be empty");
        }
        if (id.length() > MAX_LENGTH) {
            return Optional.of("repository id must be at most " + MAX_LENGTH + " characters");
        }
        if (!CHARS.matcher(id).matches()) {
            return Optional.of("repository id may only contain letters, digits, '.', '_', '-' and '/'");
        }
        if (id.startsWith("/") || id.endsWith("/")) {
            return Optional.of("repository id must not start or end with '/'");
        }
        for (String segment : id.split("/", -1)) {
            if (segment.isEmpty()) {
                return Optional.of("repository id must not contain empty segments ('//')");
            }
            if (segment.equals(".") || segment.equals("..")) {
                return Optional.of("repository id must not contain '.' or '..' segments");
            }
        }
        if (id.endsWith(".git")) {
            return Optional.of("repository id must not end with '.git'");
        }
        return Optional.empty();
    }

    public static boolean isValid(String id) {
        return problem(id).isEmpty();
    }
}
