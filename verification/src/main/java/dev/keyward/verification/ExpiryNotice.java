package dev.keyward.verification;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Optional;

/**
 * The notice for a token that expires soon: an RFC 8594 {@code Sunset} date for every service's
 * responses and a line for git's output. The one place that decides who gets it and how it reads.
 *
 * @param sunsetHeader the {@value #SUNSET} header's value, the expiry as an IMF-fixdate
 * @param warning      a line for people and logs, naming the expiry and what to do
 */
public record ExpiryNotice(String sunsetHeader, String warning) {

    /** The header's name (RFC 8594). */
    public static final String SUNSET = "Sunset";

    /** IMF-fixdate (RFC 9110), the HTTP-date form RFC 8594 asks for: two-digit day, always GMT. */
    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US);

    /**
     * The notice a caller gets under its org's rules: an API key that expires within the org's
     * {@code notice_days}. Customer JWTs never: they live at most a day and are renewed by their
     * issuer, not rotated.
     */
    public static Optional<ExpiryNotice> forCaller(VerifiedPrincipal principal, OrgRulesCache orgs, Instant now) {
        if (principal.form() != CredentialForm.API_KEY) {
            return Optional.empty();
        }
        return of(principal, Duration.ofDays(orgs.of(principal.org()).noticeDays()), now);
    }

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
