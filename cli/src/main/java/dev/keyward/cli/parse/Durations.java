package dev.keyward.cli.parse;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as people type them: {@code 45s}, {@code 10m}, {@code 1h}, {@code 30d}, {@code 2w},
 * combined ({@code 1h30m}), plain seconds ({@code 3600}), {@code 0}, or ISO-8601 ({@code PT1H}).
 */
public final class Durations {

    private static final Pattern PART = Pattern.compile("(\\d+)([smhdw])");
    private static final Pattern WHOLE = Pattern.compile("(\\d+[smhdw])+");

    private Durations() {
    }

    /** @throws IllegalArgumentException with an example of the accepted forms */
    public static Duration parse(String text) {
        if (text == null || text.isBlank()) {
            throw invalid(text);
        }
        String t = text.trim().toLowerCase(java.util.Locale.ROOT);
        try {
            if (t.chars().allMatch(Character::isDigit)) {
                return Duration.ofSeconds(Long.parseLong(t));
            }
            if (t.startsWith("p")) {
                return Duration.parse(t.toUpperCase(java.util.Locale.ROOT));
            }
            if (!WHOLE.matcher(t).matches()) {
                throw invalid(text);
            }
            Duration total = Duration.ZERO;
            Matcher m = PART.matcher(t);
            while (m.find()) {
                long n = Long.parseLong(m.group(1));
                total = total.plus(switch (m.group(2)) {
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    case "h" -> Duration.ofHours(n);
                    case "d" -> Duration.ofDays(n);
                    case "w" -> Duration.ofDays(7 * n);
                    default -> throw invalid(text);
                });
            }
            return total;
        } catch (NumberFormatException | ArithmeticException | DateTimeParseException e) {
            throw invalid(text);
        }
    }

    /** A compact form for display: {@code 29d}, {@code 3h}, {@code 12m}, {@code 40s}. */
    public static String compact(Duration d) {
        long s = Math.abs(d.getSeconds());
        String v = s >= 86_400 ? s / 86_400 + "d" : s >= 3_600 ? s / 3_600 + "h" : s >= 60 ? s / 60 + "m" : s + "s";
        return v;
    }

    /**
     * The exact form, in the syntax {@link #parse} reads back: {@code 90d}, {@code 1h30m}, {@code 45s},
     * {@code 0}. For values a person set, where {@link #compact}'s rounding would hide what is in force.
     */
    public static String exact(long seconds) {
        if (seconds == 0) {
            return "0";
        }
        StringBuilder b = new StringBuilder(seconds < 0 ? "-" : "");
        long s = Math.abs(seconds);
        long[] sizes = {86_400, 3_600, 60, 1};
        String[] units = {"d", "h", "m", "s"};
        for (int i = 0; i < sizes.length; i++) {
            if (s >= sizes[i]) {
                b.append(s / sizes[i]).append(units[i]);
                s %= sizes[i];
            }
        }
        return b.toString();
    }

    private static IllegalArgumentException invalid(String text) {
        return new IllegalArgumentException("'" + text + "' is not a duration: use e.g. 45s, 10m, 1h, 30d, 2w, 1h30m or seconds");
    }
}
