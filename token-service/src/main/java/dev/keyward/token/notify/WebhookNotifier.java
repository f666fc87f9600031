package dev.keyward.token.notify;

import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** POSTs signed deprecation notices to an org's webhook URL (see {@link WebhookSignature}). */
@ApplicationScoped
public class WebhookNotifier {

    private final HttpClient client;
    private final Duration timeout;
    private final WebhookTargets targets;

    public WebhookNotifier(@ConfigProperty(name = "keyward.notify.timeout", defaultValue = "10s") Duration timeout,
                           WebhookTargets targets) {
        this.timeout = timeout;
        this.targets = targets;
        this.client = HttpClient.newBuilder().connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /**
     * Blocking. Returns normally on a 2xx answer.
     *
     * @throws IOException when the URL no longer passes {@link WebhookTarget} (nothing is sent), on a
     *                     connection failure, or on any other status
     */
    public void send(String url, String secret, ExpiryNotice notice, long timestampSeconds)
            throws IOException, InterruptedException {
        int status = deliver(url, secret, notice, timestampSeconds);
        // Redirects are not followed (they could lead anywhere): a 3xx fails the attempt like any non-2xx.
        if (status / 100 != 2) {
            throw new IOException("webhook answered HTTP " + status);
        }
    }

    /**
     * Blocking. Sends once and returns the HTTP status, whatever it is (the settings' test call reports it).
     *
     * @throws IOException when the URL no longer passes {@link WebhookTarget} (nothing is sent) or on a connection failure
     */
    public int deliver(String url, String secret, ExpiryNotice notice, long timestampSeconds)
            throws IOException, InterruptedException {
        URI target;
        try {
            // Checked again at each send: the name may resolve elsewhere now than when it was set.
            target = targets.checkTarget(url);
        } catch (WebhookTarget.UnsafeUrl e) {
            throw new IOException("not sent: " + e.getMessage());
        }
        String body = notice.toJson();
        HttpRequest request = HttpRequest.newBuilder(target).timeout(timeout)
                .header("Content-Type", "application/json")
                .header("User-Agent", "Keyward-Webhook/1")
                .header(WebhookSignature.EVENT_HEADER, notice.type())
                .header(WebhookSignature.DELIVERY_HEADER, notice.id())
                .header(WebhookSignature.TIMESTAMP_HEADER, Long.toString(timestampSeconds))
                .header(WebhookSignature.SIGNATURE_HEADER, WebhookSignature.sign(secret, timestampSeconds, body))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        return client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
