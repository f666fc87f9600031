package dev.keyward.repo.rest;

import dev.keyward.repo.config.ContentConfig;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.util.regex.Pattern;

/**
 * The service accepts bodies of up to 2 GB, for git pushes; a commit or merge request through the
 * content API is read whole into memory, so it gets a limit of its own
 * ({@code keyward.repos.content.max-request-bytes}), checked on {@code Content-Length} before a byte
 * is read: over it, 413; without one (a chunked body, whose size shows only once read), 411.
 */
@Singleton
public class ContentRequestLimit {

    private static final Pattern WRITE_PATH = Pattern.compile("(?:/api)?/v1/repos/.+/(?:commits|merges)/?");
    private static final String TOO_LARGE = "{\"error\":\"payload_too_large\",\"message\":\"a commit or merge request may be at most %d bytes\"}";
    private static final String NO_LENGTH = "{\"error\":\"length_required\",\"message\":\"a commit or merge request must say its Content-Length\"}";

    private final long limit;

    public ContentRequestLimit(ContentConfig config) {
        this.limit = config.maxRequestBytes().asLongValue();
    }

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE + 1).handler(this::check);
    }

    private void check(RoutingContext ctx) {
        if (ctx.request().method() != HttpMethod.POST || !WRITE_PATH.matcher(ctx.normalizedPath()).matches()) {
            ctx.next();
            return;
        }
        String length = ctx.request().getHeader("Content-Length");
        if (length == null) {
            refuse(ctx, 411, NO_LENGTH);
            return;
        }
        long declared;
        try {
            declared = Long.parseLong(length.strip());
        } catch (NumberFormatException e) {
            ctx.next(); // the HTTP codec refuses a malformed Content-Length itself
            return;
        }
        if (declared > limit) {
            refuse(ctx, 413, TOO_LARGE.formatted(limit));
            return;
        }
        ctx.next();
    }

    private static void refuse(RoutingContext ctx, int status, String body) {
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").putHeader("Connection", "close").end(body);
    }
}
