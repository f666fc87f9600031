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

    public WebhookNotifier(@ConfigProperty(name = "keyward.notify.timeout", defaultValue = "10s") Duration timeout) {
        this.timeout = timeout;
        this.client = HttpClient.newBuilder().connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /**
     * Blocking. Returns normally on a 2xx answer.
     *
     * @throws IOException on a connection failure or any other status
     */
    public void send(String url, String secret, ExpiryNotice notice, long timestampSeconds)
            throws IOException, InterruptedException {
        String body = notice.toJson();
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(timeout)
                .header("Content-Type", "application/json")
                .header("User-Agent", "Keyward-Webhook/1")
                .header(WebhookSignature.EVENT_HEADER, notice.type())
                .header(WebhookSignature.DELIVERY_HEADER, notice.id())
                .header(WebhookSignature.TIMESTAMP_HEADER, Long.toString(timestampSeconds))
                .header(WebhookSignature.SIGNATURE_HEADER, WebhookSignature.sign(secret, timestampSeconds, body))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        HttpResponse<Void> response = client.send(request, HttpResponse.BodyHandlers.discarding());
        if (response.statusCode() / 100 != 2) {
            throw new IOException("webhook answered HTTP " + response.statusCode());
        }
    }
}
