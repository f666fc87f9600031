package dev.keyward.token.notify;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The webhook URL rules ({@link WebhookTarget}) with this service's settings:
 * {@code keyward.notify.webhook.allow-http} and {@code keyward.notify.webhook.allowed-cidrs}.
 */
@ApplicationScoped
public class WebhookTargets {

    private final WebhookTarget.Settings settings;
    private final WebhookTarget.Resolver resolver;

    @Inject
    public WebhookTargets(
            @ConfigProperty(name = "keyward.notify.webhook.allow-http", defaultValue = "false") boolean allowHttp,
            @ConfigProperty(name = "keyward.notify.webhook.allowed-cidrs") Optional<List<String>> allowedCidrs) {
        this(new WebhookTarget.Settings(allowHttp, allowedCidrs.orElse(List.of())), WebhookTarget.Resolver.SYSTEM);
    }

    /** Tests: a fake resolver, so DNS answers can change between two checks. */
    WebhookTargets(WebhookTarget.Settings settings, WebhookTarget.Resolver resolver) {
        this.settings = settings;
        this.resolver = resolver;
    }

    // Observing start builds the bean, so a bad allowed-cidrs entry stops the service at boot.
    void parseSettingsAtStart(@Observes StartupEvent start) {
    }

    /**
     * Checks a webhook URL an org wants to use: call it when the URL is set and store the result.
     * {@link WebhookNotifier} calls it again before each send. Resolves the host through DNS; blocking.
     *
     * @return the normalised URL
     * @throws WebhookTarget.UnsafeUrl with a message fit for the API caller (names {@code webhook_url}
     *                                 and the reason, never the path or query)
     */
    public URI checkTarget(String url) {
        return WebhookTarget.check(url, settings, resolver);
    }
}
