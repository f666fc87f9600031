package dev.keyward.token.jobs;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetupTest;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * A real SMTP server (GreenMail) on a free port for the deprecation e-mails; the service's mailer
 * is pointed at it (not the Quarkus mock mailbox).
 */
public class MailServerResource implements QuarkusTestResourceLifecycleManager {

    private static volatile GreenMail server;

    @Override
    public Map<String, String> start() {
        GreenMail mail = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
        mail.start();
        server = mail;
        return Map.of("quarkus.mailer.host", "127.0.0.1",
                "quarkus.mailer.port", Integer.toString(mail.getSmtp().getPort()),
                "quarkus.mailer.mock", "false",
                "quarkus.mailer.start-tls", "DISABLED",
                // Now and then an SMTP session with the in-process GreenMail stalls; a short timeout
                // turns that into a failed attempt that the tests see retried.
                "quarkus.mailer.timeout", "5s");
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop();
        }
    }

    /** The running server, to read what it received. */
    public static GreenMail server() {
        if (server == null) {
            throw new IllegalStateException("the mail server is not running");
        }
        return server;
    }

    /** Every message the server received for {@code address}. */
    public static java.util.List<jakarta.mail.internet.MimeMessage> mailsTo(String address) throws Exception {
        java.util.List<jakarta.mail.internet.MimeMessage> found = new java.util.ArrayList<>();
        for (jakarta.mail.internet.MimeMessage m : server().getReceivedMessages()) {
            for (jakarta.mail.Address r : m.getAllRecipients()) {
                if (r.toString().equalsIgnoreCase(address)) {
                    found.add(m);
                }
            }
        }
        return found;
    }
}
