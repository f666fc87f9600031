package dev.keyward.verification.quarkus;

import io.quarkus.runtime.StartupEvent;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Refuses to start a service that would believe {@code X-Forwarded-For} from anyone: with
 * {@code quarkus.http.proxy.proxy-address-forwarding} on and no
 * {@code quarkus.http.proxy.trusted-proxies}, Quarkus trusts every peer, so any client could pick
 * the address its CIDR allowlist and rate limits are checked against. Also reads a request's client
 * address the way this configuration says.
 */
@Singleton
public class ForwardedAddressGuard {

    private final boolean forwarding;
    private final Optional<String> trustedProxies;

    public ForwardedAddressGuard(
            @ConfigProperty(name = "quarkus.http.proxy.proxy-address-forwarding", defaultValue = "false") boolean forwarding,
            @ConfigProperty(name = "quarkus.http.proxy.trusted-proxies") Optional<String> trustedProxies) {
        this.forwarding = forwarding;
        this.trustedProxies = trustedProxies;
    }

    void check(@Observes StartupEvent start) {
        problem(forwarding, trustedProxies).ifPresent(message -> {
            throw new IllegalStateException(message);
        });
    }

    /**
     * The caller's address: the forwarded one when forwarding is on (Quarkus has wrapped the request),
     * else the connection's peer. The connection is asked directly because the request's own
     * {@code remoteAddress()} goes through Vert.x Web's forwarded-header parser, which works out the
     * scheme, host and absolute URI of every request on first use (4.6% of an authorized read's CPU).
     */
    public String clientIp(HttpServerRequest request) {
        SocketAddress remote;
        if (forwarding) {
            remote = request.remoteAddress();
        } else {
            HttpConnection connection = request.connection();
            remote = connection == null ? request.remoteAddress() : connection.remoteAddress();
        }
        return remote == null ? null : remote.hostAddress();
    }

    /** Why this proxy configuration is unsafe; empty when it is not. */
    static Optional<String> problem(boolean forwarding, Optional<String> trustedProxies) {
        if (forwarding && trustedProxies.map(String::isBlank).orElse(true)) {
            return Optional.of("quarkus.http.proxy.proxy-address-forwarding is on but quarkus.http.proxy.trusted-proxies"
                    + " (KEYWARD_TRUSTED_PROXIES) names no proxy: every client could choose its own address");
        }
        return Optional.empty();
    }
}
