package dev.keyward.cli.parse;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/**
 * {@code --since}/{@code --until} values: an ISO-8601 date-time with offset ({@code 2026-01-31T12:00:00Z}),
 * a date ({@code 2026-01-31}, midnight UTC), or a duration meaning "that long ago" ({@code 24h}, {@code 7d}).
 * The result is what the audit API takes: an ISO-8601 instant in UTC.
 */
public final class TimeFlags {

    private TimeFlags() {
    }

    public static String toInstant(String text, Clock clock) {
        if (text == null || text.isBlank()) {
            return null;
        }
        String t = text.trim();
        try {
            return OffsetDateTime.parse(t).toInstant().toString();
        } catch (DateTimeParseException e) {
            // next form
        }
        try {
            return LocalDate.parse(t).atStartOfDay(ZoneOffset.UTC).toInstant().toString();
        } catch (DateTimeParseException e) {
            // next form
        }
        try {
            Instant ago = clock.instant().minus(Durations.parse(t));
            return ago.toString();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + text
                    + "' is not a time: use 2026-01-31T12:00:00Z, 2026-01-31, or an age such as 24h or 7d");
        }
    }
}
