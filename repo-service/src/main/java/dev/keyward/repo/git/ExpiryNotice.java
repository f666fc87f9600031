package dev.keyward.repo.git;

import dev.keyward.verification.VerifiedPrincipal;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Optional;

/** The notice for a token that expires soon: an RFC 8594 {@code Sunset} date and a line for git's output. */
public record ExpiryNotice(String sunsetHeader, String warning) {

    /** IMF-fixdate (RFC 9110), the HTTP-date form RFC 8594 asks for: two-digit day, always GMT. */
    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US);

    /** A notice when the token expires within {@code window} of {@code now}. */
    public static Optional<ExpiryNotice> of(VerifiedPrincipal principal, Duration window, Instant now) {
        return principal.expiresWithin(window, now).map(left -> {
            long days = Math.max(0, left.toDays());
            String when = days == 0 ? "within a day" : "in " + days + (days == 1 ? " day" : " days");
            return new ExpiryNotice(HTTP_DATE.format(principal.expiresAt().atOffset(ZoneOffset.UTC)),
                    "warning: this Keyward token expires " + when + " (" + principal.expiresAt()
                            + "); rotate it (POST /v1/tokens/self/rotate) or create a new one");
        });
    }
}
