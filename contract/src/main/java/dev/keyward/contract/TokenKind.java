package dev.keyward.contract;

import java.util.Arrays;
import java.util.Optional;

/**
 * What a token may reach: an org token any org permission, a repo token only git on repositories,
 * a platform token only {@code orgs:*} (operators: it reaches no org's tokens, repositories or trail).
 */
public enum TokenKind {
    ORG("org", 'o'),
    REPO("repo", 'r'),
    PLATFORM("platform", 'p');

    private final String wireName;
    private final char keyLetter;

    TokenKind(String wireName, char keyLetter) {
        this.wireName = wireName;
        this.keyLetter = keyLetter;
    }

    public String wireName() {
        return wireName;
    }

    /** The letter in an API key's prefix ({@code kw_prod_o_…}). */
    public char keyLetter() {
        return keyLetter;
    }

    public static Optional<TokenKind> parse(String name) {
        return Arrays.stream(values()).filter(k -> k.wireName.equals(name)).findFirst();
    }

    public static Optional<TokenKind> fromKeyLetter(char letter) {
        return Arrays.stream(values()).filter(k -> k.keyLetter == letter).findFirst();
    }
}
