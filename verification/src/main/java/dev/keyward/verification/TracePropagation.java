package dev.keyward.verification;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import java.net.http.HttpRequest;
import java.util.List;
import java.util.function.Function;

/**
 * How a trace crosses what the tracing library does not instrument: the JDK HTTP client of
 * {@link TokenServiceClient}, a verification finished on the client's thread, and an event that
 * is published later from another thread (the W3C {@code traceparent} kept with it). With tracing
 * off no span is ever current, so each of these is a check and nothing else.
 */
public final class TracePropagation {

    /** The W3C header (and outbox column) that carries a span's context. */
    public static final String TRACEPARENT = "traceparent";

    private static final W3CTraceContextPropagator W3C = W3CTraceContextPropagator.getInstance();
    private static final TextMapGetter<String> ONE_VALUE = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(String carrier) {
            return List.of(TRACEPARENT);
        }

        @Override
        public String get(String carrier, String key) {
            return TRACEPARENT.equals(key) ? carrier : null;
        }
    };

    private TracePropagation() {
    }

    /** The current span's context: invalid when tracing is off or no span is current. */
    public static SpanContext current() {
        return Span.current().getSpanContext();
    }

    /** The current span's {@code traceparent}, or null (tracing off, or no span current). */
    public static String currentTraceparent() {
        return traceparent(current());
    }

    /** The {@code traceparent} of {@code span}, or null when it is invalid (no trace to continue). */
    public static String traceparent(SpanContext span) {
        if (!span.isValid()) {
            return null;
        }
        String[] header = new String[1];
        W3C.inject(Context.root().with(Span.wrap(span)), header, (carrier, key, value) -> {
            if (TRACEPARENT.equals(key)) {
                carrier[0] = value;
            }
        });
        return header[0];
    }

    /** The context to continue a trace from its {@code traceparent}: the root context when null or unreadable. */
    public static Context parent(String traceparent) {
        return traceparent == null ? Context.root() : W3C.extract(Context.root(), traceparent, ONE_VALUE);
    }

    /** Adds the current span's {@code traceparent} to an outgoing request, when a span is current. */
    public static HttpRequest.Builder propagate(HttpRequest.Builder request) {
        Context context = Context.current();
        if (Span.fromContext(context).getSpanContext().isValid()) {
            W3C.inject(context, request, HttpRequest.Builder::header);
        }
        return request;
    }

    /**
     * {@code step} run with the caller's context current, wherever it runs (a verification that needed
     * token-service completes on the HTTP client's thread); {@code step} itself when no span is current.
     */
    public static <T, R> Function<T, R> carried(Function<T, R> step) {
        Context context = Context.current();
        return Span.fromContext(context).getSpanContext().isValid() ? context.wrapFunction(step) : step;
    }
}
