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
