package dev.keyward.token.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Delivery re-checks the URL before each send. The only connections are to a JDK HTTP server on
 * 127.0.0.1; names go to a fake resolver.
 */
class WebhookNotifierTest {

    private static final ExpiryNotice NOTICE = new ExpiryNotice("evt-1", "token:expiring", "2030-01-01T00:00:00Z",
            "acme", "tok-1", "kw_prod_abcd", "ci", "2030-01-15T00:00:00Z");
    private static final WebhookTarget.Resolver NO_DNS = host -> {
        throw new AssertionError("no lookup expected, the resolver was asked for " + host);
    };

    private HttpServer server;
    private final List<String> paths = new CopyOnWriteArrayList<>();

    @BeforeEach
    void startReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            paths.add(exchange.getRequestURI().getPath());
            exchange.getRequestBody().readAllBytes();
            if (exchange.getRequestURI().getPath().equals("/moved")) {
                exchange.getResponseHeaders().add("Location", "http://127.0.0.1:" + port() + "/elsewhere");
                exchange.sendResponseHeaders(302, -1);
            } else {
                exchange.sendResponseHeaders(204, -1);
            }
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stopReceiver() {
        server.stop(0);
    }

    private int port() {
        return server.getAddress().getPort();
    }

    private static WebhookNotifier notifier(WebhookTarget.Settings settings, WebhookTarget.Resolver resolver) {
        return new WebhookNotifier(Duration.ofSeconds(5), new WebhookTargets(settings, resolver));
    }

    @Test
    void aNameThatNowResolvesToAPrivateAddressIsNotSent() throws Exception {
        AtomicReference<String> answer = new AtomicReference<>("93.184.216.34");
        WebhookTarget.Resolver rebinding = host -> new InetAddress[] {InetAddress.getByName(answer.get())};
        WebhookTargets targets = new WebhookTargets(new WebhookTarget.Settings(true, List.of()), rebinding);
        String url = "http://hooks.example.invalid:" + port() + "/hook";
        assertThat(targets.checkTarget(url)).hasHost("hooks.example.invalid"); // when the org set it

        answer.set("127.0.0.1");
        WebhookNotifier notifier = new WebhookNotifier(Duration.ofSeconds(5), targets);
        assertThatThrownBy(() -> notifier.send(url, "whsec", NOTICE, 1_900_000_000L))
                .isInstanceOf(IOException.class)
                .hasMessage("not sent: webhook_url host hooks.example.invalid resolves to a loopback address (127.0.0.1)");
        assertThat(paths).isEmpty();
    }

    @Test
    void aUrlThatBreaksTheRulesIsNotSent() {
        WebhookNotifier strict = notifier(new WebhookTarget.Settings(false, List.of()), NO_DNS);
        assertThatThrownBy(() -> strict.send("http://127.0.0.1:" + port() + "/hook?token=s3cret", "whsec", NOTICE, 1L))
                .isInstanceOf(IOException.class).hasMessage("not sent: webhook_url must use https");
        assertThatThrownBy(() -> strict.send("https://127.0.0.1:" + port() + "/hook?token=s3cret", "whsec", NOTICE, 1L))
                .isInstanceOf(IOException.class)
                .hasMessage("not sent: webhook_url points to a loopback address (127.0.0.1)");
        assertThat(paths).isEmpty();
    }

    @Test
    void aRedirectFailsTheDeliveryAndIsNotFollowed() {
        WebhookNotifier local = notifier(new WebhookTarget.Settings(true, List.of("127.0.0.0/8")), NO_DNS);
        assertThatThrownBy(() -> local.send("http://127.0.0.1:" + port() + "/moved", "whsec", NOTICE, 1L))
                .isInstanceOf(IOException.class).hasMessage("webhook answered HTTP 302");
        assertThat(paths).containsExactly("/moved");
    }

    @Test
    void deliveryGoesToTheNormalisedUrl() throws Exception {
        WebhookNotifier local = notifier(new WebhookTarget.Settings(true, List.of("127.0.0.0/8")), NO_DNS);
        local.send("http://2130706433:" + port() + "/hook", "whsec", NOTICE, 1L);
        assertThat(paths).containsExactly("/hook");
    }
}
