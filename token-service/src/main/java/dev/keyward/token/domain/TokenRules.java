package dev.keyward.token.domain;

import dev.keyward.token.error.ApiException;
import dev.keyward.verification.ApiKeyFormat;
import dev.keyward.verification.ScopeSyntaxException;
import dev.keyward.verification.Scopes;
import dev.keyward.verification.TokenKind;
import java.util.Collection;
import java.util.Map;

/** Checks of the fields of a token request that need no storage. */
public final class TokenRules {

    public static final int MAX_NAME_LENGTH = 100;

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

    /** @throws ApiException 422 for anything but {@code org} or {@code repo} */
    public static TokenKind kind(String kind) {
        if (kind == null) {
            throw ApiException.invalid("kind is required: 'org' or 'repo'");
        }
        return TokenKind.parse(kind).orElseThrow(() -> ApiException.invalid("unknown kind; use 'org' or 'repo'"));
    }

    /** The requested environment, or {@code fallback} when none is named. */
    public static ApiKeyFormat.Environment environment(String environment, ApiKeyFormat.Environment fallback) {
        if (environment == null) {
            return fallback;
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
