package dev.keyward.token.notify;

import io.quarkus.mailer.Mail;
import io.quarkus.mailer.Mailer;
import jakarta.enterprise.context.ApplicationScoped;

/** Sends deprecation and leak notices by e-mail through the configured SMTP server (quarkus.mailer.*). */
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
        if (n.isLeak()) {
            return "Keyward token " + n.keyPrefix() + "… (" + oneLine(n.name()) + ") was found exposed"
                    + (Boolean.TRUE.equals(n.revoked()) ? " and has been revoked" : "");
        }
        return "Keyward token " + n.keyPrefix() + "… (" + oneLine(n.name()) + ") expires on " + n.expiresAt();
    }

    static String text(ExpiryNotice n) {
        if (n.isLeak()) {
            return leakText(n);
        }
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

    static String leakText(ExpiryNotice n) {
        String action = Boolean.TRUE.equals(n.revoked())
                ? "It has been revoked: every request made with it is refused from now on. Create a\n"
                + "replacement, update the jobs and agents that used it, and remove the key from where\n"
                + "it was found."
                : "It is still valid (the org's leak_action is block). Revoke or rotate it now\n"
                + "(DELETE /v1/tokens/" + n.tokenId() + "), and remove the key from where it was found.";
        return """
                A Keyward access token was found where it does not belong.

                  org:        %s
                  token:      %s
                  name:       %s
                  key prefix: %s…
                  found in:   %s

                %s
                """.formatted(n.org(), n.tokenId(), oneLine(n.name()), n.keyPrefix(), oneLine(n.foundIn()), action);
    }

    // Names are free text: keep them from breaking headers or the layout.
    private static String oneLine(String s) {
        return s.replaceAll("[\\p{Cntrl}]", " ");
    }
}
