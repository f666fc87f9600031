package dev.keyward.repo.content;

import dev.keyward.contract.ApiException;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;
import org.eclipse.jgit.errors.CorruptObjectException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectChecker;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;

/**
 * What the content API accepts as file paths, revisions and branch names, checked as strictly as
 * repository ids: every refusal is a 400 naming the parameter, before anything is looked up.
 * <ul>
 *   <li>paths: relative, {@code /}-separated, at most {@value #MAX_PATH_LENGTH} characters, no
 *       {@code .}, {@code ..} or empty segment, no backslash, control character or NUL, valid
 *       UTF-8, and no percent-encoded dot, slash, backslash or NUL left after decoding (a second
 *       layer of encoding is how traversal hides);</li>
 *   <li>revisions: a 40-hex commit id, {@code HEAD}, or a branch or tag ({@code main},
 *       {@code refs/heads/main}, {@code refs/tags/v1}); other namespaces ({@code refs/notes/…}),
 *       reflog and ancestry expressions ({@code HEAD@{1}}, {@code main~1}, {@code main^}) and
 *       anything git's ref-name rules refuse are refused.</li>
 * </ul>
 */
public final class ContentInput {

    public static final int MAX_PATH_LENGTH = 4096;
    public static final int MAX_REF_LENGTH = 255;

    private static final String HEADS = Constants.R_HEADS;
    private static final String TAGS = Constants.R_TAGS;
    private static final Pattern SHA = Pattern.compile("[0-9a-fA-F]{40}");
    /** A percent-encoded '.', '/', '\' or NUL still present after the one decoding HTTP does. */
    private static final Pattern ENCODED = Pattern.compile("%(?:2[eEfF]|5[cC]|00)");

    private ContentInput() {
    }

    /** A path naming a file or directory to read; null or empty means "the root" and returns "". */
    public static String optionalPath(String value, String param) {
        return value == null || value.isEmpty() ? "" : path(value, param);
    }

    /** A path that must be given. */
    public static String requiredPath(String value, String param) {
        if (value == null || value.isEmpty()) {
            throw invalid("invalid_path", param + " is required");
        }
        return path(value, param);
    }

    /**
     * A path a commit writes or deletes: {@link #requiredPath} plus git's own rules for tree entries
     * as a careful client checks them ({@code .git} in any spelling, names Windows or macOS would
     * turn into {@code .git}), so no API commit can hand a clone a hostile tree.
     */
    public static String pathToWrite(String value, String param) {
        String path = requiredPath(value, param);
        try {
            new ObjectChecker().setSafeForWindows(true).setSafeForMacOS(true).checkPath(path);
        } catch (CorruptObjectException e) {
            throw invalid("invalid_path", param + " is not a path git accepts in a tree");
        }
        return path;
    }

    private static String path(String value, String param) {
        if (value.length() > MAX_PATH_LENGTH) {
            throw invalid("invalid_path", param + " is longer than " + MAX_PATH_LENGTH + " characters");
        }
        textRules(value, param, "invalid_path");
        if (value.indexOf('\\') >= 0) {
            throw invalid("invalid_path", param + " must not contain a backslash");
        }
        if (value.startsWith("/") || value.endsWith("/")) {
            throw invalid("invalid_path", param + " must be relative and must not end with '/'");
        }
        for (String segment : value.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                throw invalid("invalid_path", param + " must not contain empty, '.' or '..' segments");
            }
        }
        return value;
    }

    /** A revision to read; absent means {@link Rev#HEAD}. */
    public static Rev optionalRev(String value, String param) {
        return value == null || value.isEmpty() ? Rev.HEAD : rev(value, param);
    }

    /** A revision that must be given. */
    public static Rev rev(String value, String param) {
        if (value == null || value.isEmpty()) {
            throw invalid("invalid_ref", param + " is required");
        }
        if (SHA.matcher(value).matches()) {
            return new Rev(value, ObjectId.fromString(value.toLowerCase(java.util.Locale.ROOT)), null);
        }
        if (value.equals(Constants.HEAD)) {
            return Rev.HEAD;
        }
        return new Rev(value, null, refName(value, param, false));
    }

    /** A branch a commit or merge moves: {@code main} or {@code refs/heads/main}; returns the full ref name. */
    public static String branch(String value, String param) {
        if (value == null || value.isEmpty()) {
            throw invalid("invalid_ref", param + " is required");
        }
        String name = refName(value, param, true);
        return name.startsWith(HEADS) ? name : HEADS + name;
    }

    /** A full commit id (the parent a commit expects), or null when absent. */
    public static ObjectId optionalSha(String value, String param) {
        if (value == null) {
            return null;
        }
        if (!SHA.matcher(value).matches()) {
            throw invalid("invalid_sha", param + " must be a full commit id (40 hexadecimal characters)");
        }
        return ObjectId.fromString(value.toLowerCase(java.util.Locale.ROOT));
    }

    /**
     * A branch or tag name as written ({@code main}, {@code refs/tags/v1}); checked with git's ref
     * name rules under {@code refs/heads/} (short names) or as is (full names).
     */
    private static String refName(String value, String param, boolean branchOnly) {
        if (value.length() > MAX_REF_LENGTH) {
            throw invalid("invalid_ref", param + " is longer than " + MAX_REF_LENGTH + " characters");
        }
        textRules(value, param, "invalid_ref");
        String full;
        if (value.startsWith(Constants.R_REFS)) {
            if (!value.startsWith(HEADS) && !(value.startsWith(TAGS) && !branchOnly)) {
                throw invalid("invalid_ref", param + " must name a branch" + (branchOnly ? "" : " or a tag")
                        + " (refs/heads/…" + (branchOnly ? "" : ", refs/tags/…") + ")");
            }
            full = value;
        } else {
            full = HEADS + value;
        }
        String shortName = full.substring(full.indexOf('/', Constants.R_REFS.length()) + 1);
        if (!Repository.isValidRefName(full) || value.contains("@{") || shortName.startsWith("-")
                || value.chars().anyMatch(Character::isWhitespace) || shortName.equals(Constants.HEAD)) {
            throw invalid("invalid_ref", param + " is not a valid branch or tag name (no '..', '~', '^', ':', '?', '*', '[',"
                    + " '@{', spaces or a leading '-')");
        }
        return value;
    }

    /** NUL and control characters, unencodable text and leftover percent-encoding, for paths and refs alike. */
    private static void textRules(String value, String param, String error) {
        if (value.chars().anyMatch(Character::isISOControl)) {
            throw invalid(error, param + " must not contain control characters");
        }
        if (value.indexOf('\uFFFD') >= 0 || !StandardCharsets.UTF_8.newEncoder().canEncode(value)) {
            throw invalid(error, param + " must be valid UTF-8");
        }
        if (ENCODED.matcher(value).find()) {
            throw invalid(error, param + " must not hold percent-encoded '.', '/', '\\' or NUL (encode it once)");
        }
    }

    private static ApiException invalid(String error, String message) {
        return ApiException.badRequest(error, message);
    }
}
