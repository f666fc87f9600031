package dev.keyward.token.domain;

import dev.keyward.contract.ApiException;
import dev.keyward.contract.ApiKeyFormat;
import dev.keyward.contract.Permission;
import dev.keyward.contract.ScopeSyntaxException;
import dev.keyward.contract.Scopes;
import dev.keyward.contract.TokenKind;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Checks of the fields of a token request that need no storage. */
public final class TokenRules {

    public static final int MAX_NAME_LENGTH = 100;
    /** The githosted name of an org token. */
    static final String WORKSPACE = "workspace";
    private static final String REPOS = "repos:";

    private TokenRules() {
    }

    /** @throws ApiException 422 unless the name has 1–100 characters and no control characters */
    public static String name(String name) {
        if (name == null || name.isBlank()) {
            throw ApiException.invalid("name is required (1-" + MAX_NAME_LENGTH + " characters)");
        }
        if (name.codePointCount(0, name.length()) > MAX_NAME_LENGTH) {
            throw ApiException.invalid("name must be at most " + MAX_NAME_LENGTH + " characters");
        }
        if (name.codePoints().anyMatch(Character::isISOControl)) {
            throw ApiException.invalid("name must not contain control characters");
        }
        return name;
    }

    /**
     * The kind a request asks for, as a wire name: {@code workspace} is {@code org} (the githosted
     * shape); none named makes a {@code repo} token when every scope fits one (git on repositories,
     * the bare request of seed 003), else an {@code org} token. Unknown names pass through for
     * {@link #kind(String)} to refuse.
     */
    public static String requestedKind(String kind, Map<String, ? extends Collection<String>> scopes) {
        if (kind != null) {
            return WORKSPACE.equals(kind) ? TokenKind.ORG.wireName() : kind;
        }
        try {
            return Scopes.parse(scopes).problemForKind(TokenKind.REPO).isEmpty()
                    ? TokenKind.REPO.wireName() : TokenKind.ORG.wireName();
        } catch (ScopeSyntaxException e) {
            return TokenKind.ORG.wireName(); // the scope check refuses them, with the reason
        }
    }

    /**
     * The scopes of the githosted shape: {@code permission} ({@code read} or {@code write}) on each
     * repository of {@code repoAllowlist}, or on every repository when it is absent or empty.
     *
     * @throws ApiException 422 for another permission or a missing repository id
     */
    public static Map<String, List<String>> allowlistScopes(String permission, List<String> repoAllowlist) {
        List<String> permissions = switch (permission == null ? "" : permission) {
            case "read" -> List.of(Permission.GIT_READ.wireName());
            case "write" -> List.of(Permission.GIT_READ.wireName(), Permission.GIT_WRITE.wireName());
            default -> throw ApiException.invalid("permission must be 'read' or 'write'");
        };
        if (repoAllowlist == null || repoAllowlist.isEmpty()) {
            return Map.of(REPOS + "*", permissions);
        }
        Map<String, List<String>> scopes = new LinkedHashMap<>();
        for (String repo : repoAllowlist) {
            if (repo == null || repo.isEmpty()) {
                throw ApiException.invalid("repoAllowlist must hold repository ids");
            }
            scopes.put(REPOS + repo, permissions);
        }
        return scopes;
    }

    /**
     * {@code ttlHours} of the githosted shape as {@code expires_in} seconds ({@code 0} stays "never",
     * which the org policy may refuse).
     */
    public static Long ttlHoursAsSeconds(Long ttlHours) {
        if (ttlHours == null) {
            return null;
        }
        try {
            return Math.multiplyExact(ttlHours, 3600L);
        } catch (ArithmeticException e) {
            throw ApiException.invalid("ttlHours is out of range");
        }
    }

    /** @throws ApiException 422 for anything but {@code org} or {@code repo} */
    public static TokenKind kind(String kind) {
        if (kind == null) {
            throw ApiException.invalid("kind is required: 'org' or 'repo'");
        }
        return TokenKind.parse(kind).orElseThrow(() -> ApiException.invalid("unknown kind; use 'org' or 'repo' (or leave it out)"));
    }

    /**
     * A {@code page_size} query parameter: absent is null (the default applies), anything but a
     * whole number is 400 (the service checks the range).
     */
    public static Integer pageSize(String pageSize) {
        if (pageSize == null || pageSize.isBlank()) {
            return null;
        }
        try {
            return Integer.valueOf(pageSize.strip());
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("page_size must be a whole number");
        }
    }

    /**
     * A boolean query parameter: absent is false; only {@code true} and {@code false} are read, so
     * a typo is 400 naming the parameter instead of a silent default.
     */
    public static boolean flag(String parameter, String value) {
        if (value == null) {
            return false;
        }
        return switch (value) {
            case "true" -> true;
            case "false" -> false;
            default -> throw ApiException.badRequest(parameter + " must be true or false");
        };
    }

    /**
     * A text query or path parameter: no id or token of ours holds a control character, and
     * PostgreSQL text cannot hold NUL at all, so such a value is 400 naming the parameter.
     */
    public static String parameterText(String parameter, String value) {
        if (value != null && value.chars().anyMatch(Character::isISOControl)) {
            throw ApiException.badRequest(parameter + " must not contain control characters");
        }
        return value;
    }

    /**
     * The requested environment; {@code prod} when none is named, whoever creates the token (a person,
     * or a key of either environment): the one documented default.
     */
    public static ApiKeyFormat.Environment environment(String environment) {
        if (environment == null) {
            return ApiKeyFormat.Environment.PROD;
        }
        return ApiKeyFormat.Environment.parse(environment)
                .orElseThrow(() -> ApiException.invalid("unknown environment; use 'prod' or 'dev'"));
    }

    /** @throws ApiException 422 when the scopes break the grammar or do not fit the kind */
    public static Scopes scopes(Map<String, ? extends Collection<String>> wire, TokenKind kind) {
        Scopes scopes;
        try {
            scopes = Scopes.parse(wire);
        } catch (ScopeSyntaxException e) {
            throw ApiException.invalid(e.getMessage());
        }
        scopes.problemForKind(kind).ifPresent(problem -> {
            throw ApiException.invalid(problem);
        });
        return scopes;
    }
}
