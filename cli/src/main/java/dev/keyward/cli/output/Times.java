package dev.keyward.cli.output;

import dev.keyward.cli.parse.Durations;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;

/** Timestamps for people: {@code 2026-03-01T12:00:00Z (in 29d)}. */
public final class Times {

    private Times() {
    }

    public static String human(String iso, Clock clock) {
        if (iso == null || iso.isBlank() || iso.equals("null")) {
            return null;
        }
        try {
            Instant t = Instant.parse(iso).truncatedTo(ChronoUnit.SECONDS);
            Duration d = Duration.between(clock.instant(), t);
            String rel = d.isNegative() ? Durations.compact(d) + " ago" : "in " + Durations.compact(d);
            return t + " (" + rel + ")";
        } catch (DateTimeParseException e) {
            return iso;
        }
    }

    /**
     * How far {@code at} is from now in words, for expiry: {@code in 3 days}, {@code in 5 hours},
     * {@code in 12 minutes}, {@code 2 days ago}.
     */
    public static String relative(Instant at, Clock clock) {
        Duration d = Duration.between(clock.instant(), at);
        long s = Math.abs(d.getSeconds());
        long n = s >= 86_400 ? s / 86_400 : s >= 3_600 ? s / 3_600 : Math.max(1, s / 60);
        String unit = s >= 86_400 ? "day" : s >= 3_600 ? "hour" : "minute";
        String amount = n + " " + unit + (n == 1 ? "" : "s");
        return d.isNegative() ? amount + " ago" : "in " + amount;
    }

    /** An expiry for people: {@code expires in 3 days (2026-03-01T12:00:00Z)}, {@code expired …}, {@code never expires}. */
    public static String expiry(String iso, Clock clock) {
        if (iso == null || iso.isBlank() || iso.equals("null")) {
            return "never expires";
        }
        try {
            Instant t = Instant.parse(iso).truncatedTo(ChronoUnit.SECONDS);
            return (t.isAfter(clock.instant()) ? "expires " : "expired ") + relative(t, clock) + " (" + t + ")";
        } catch (DateTimeParseException e) {
            return "expires " + iso;
        }
    }

    /** Just the instant to the second. */
    public static String toSecond(String iso) {
        if (iso == null || iso.isBlank()) {
            return null;
        }
        try {
            return Instant.parse(iso).truncatedTo(ChronoUnit.SECONDS).toString();
        } catch (DateTimeParseException e) {
            return iso;
        }
    }
}
