package dev.keyward.token.domain;

import java.util.List;
import java.util.regex.Pattern;

/**
 * A trust policy's pattern over one claim of a workload token: {@code *} matches any run of
 * characters ({@code /} and {@code :} included), everything else matches itself, and the whole
 * value must match ({@code repo:acme/app:ref:refs/heads/*}). No other metacharacters, so a policy
 * reads the same to its author and to the matcher.
 */
public final class ClaimGlob {

    public static final int MAX_LENGTH = 500;

    private final String text;
    private final Pattern pattern;

    private ClaimGlob(String text) {
        this.text = text;
        StringBuilder regex = new StringBuilder();
        int from = 0;
        for (int star = text.indexOf('*'); star >= 0; star = text.indexOf('*', from)) {
            if (star > from) {
                regex.append(Pattern.quote(text.substring(from, star)));
            }
            regex.append(".*");
            from = star + 1;
        }
        if (from < text.length()) {
            regex.append(Pattern.quote(text.substring(from)));
        }
        this.pattern = Pattern.compile(regex.toString(), Pattern.DOTALL);
    }

    /** @throws IllegalArgumentException when the pattern is empty or too long */
    public static ClaimGlob of(String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("must be a non-empty pattern");
        }
        if (text.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("must be at most " + MAX_LENGTH + " characters");
        }
        return new ClaimGlob(text);
    }

    /**
     * Whether a claim's value matches: a string, number or boolean by its text; an array when any
     * of its scalar elements does; anything else (absent, an object) never.
     */
    public boolean matches(Object claimValue) {
        if (claimValue instanceof List<?> list) {
            return list.stream().anyMatch(v -> !(v instanceof List<?>) && matches(v));
        }
        String value = scalarText(claimValue);
        return value != null && pattern.matcher(value).matches();
    }

    /** The text of a scalar claim value; null for anything else. */
    public static String scalarText(Object claimValue) {
        if (claimValue instanceof String s) {
            return s;
        }
        if (claimValue instanceof Number || claimValue instanceof Boolean) {
            return claimValue.toString();
        }
        return null;
    }

    @Override
    public String toString() {
        return text;
    }
}
