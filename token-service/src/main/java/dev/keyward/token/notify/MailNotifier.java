package dev.keyward.token.notify;

import io.quarkus.mailer.Mail;
import io.quarkus.mailer.Mailer;
import jakarta.enterprise.context.ApplicationScoped;

/** Sends deprecation notices by e-mail through the configured SMTP server (quarkus.mailer.*). */
@ApplicationScoped
public class MailNotifier {

    private final Mailer mailer;

    public MailNotifier(Mailer mailer) {
        this.mailer = mailer;
    }

    /** Blocking; throws when the SMTP server refuses or cannot be reached. */
    public void send(String to, ExpiryNotice notice) {
        mailer.send(Mail.withText(to, subject(notice), text(notice)));
    }

    static String subject(ExpiryNotice n) {
        return "Keyward token " + n.keyPrefix() + "… (" + oneLine(n.name()) + ") expires on " + n.expiresAt();
    }

    static String text(ExpiryNotice n) {
        return """
                A Keyward access token expires soon.

                  org:        %s
                  token:      %s
                  name:       %s
                  key prefix: %s…
                  expires at: %s

                After that moment every request made with it is refused. Rotate it
                (POST /v1/tokens/%s/rotate) or create a replacement and update the jobs
                and agents that use it before then.
                """.formatted(n.org(), n.tokenId(), oneLine(n.name()), n.keyPrefix(), n.expiresAt(), n.tokenId());
    }

    // Names are free text: keep them from breaking headers or the layout.
    private static String oneLine(String s) {
        return s.replaceAll("[\\p{Cntrl}]", " ");
    }
}
