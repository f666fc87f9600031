package dev.keyward.verification.quarkus;

import dev.keyward.contract.ApiError;
import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * A request announcing a body over {@code quarkus.http.limits.max-body-size} would get Quarkus's
 * empty 413; this answers first, in the services' JSON shape
 * ({@code {"error":"payload_too_large","message":...}}), and closes the connection. (A chunked body
 * that grows past the limit is still cut off by Quarkus, with its bare 413.)
 */
@Singleton
public class OversizedBodyResponse {

    static final String BODY = new ApiError("payload_too_large", "the request body is larger than this service accepts").toJson();

    private final long limit;

    public OversizedBodyResponse(@ConfigProperty(name = "quarkus.http.limits.max-body-size", defaultValue = "10240K") MemorySize limit) {
        this.limit = limit.asLongValue();
    }

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).handler(this::check);
    }

    private void check(RoutingContext ctx) {
        String length = ctx.request().getHeader("Content-Length");
        if (length != null && exceeds(length)) {
            ctx.response().setStatusCode(413).putHeader("Content-Type", "application/json").putHeader("Connection", "close").end(BODY);
            return;
        }
        ctx.next();
    }

    private boolean exceeds(String length) {
        try {
            return Long.parseLong(length.trim()) > limit;
        } catch (NumberFormatException e) {
            return false; // the HTTP codec refuses a malformed Content-Length itself
        }
    }
}
