package dev.keyward.verification;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TracePropagationTest {

    static final SpanContext SPAN = SpanContext.create("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7",
            TraceFlags.getSampled(), TraceState.getDefault());

    @Test
    void aSpanContextTravelsAsItsW3cTraceparentAndBack() {
        String traceparent = TracePropagation.traceparent(SPAN);
        assertThat(traceparent).isEqualTo("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");

        SpanContext parent = Span.fromContext(TracePropagation.parent(traceparent)).getSpanContext();
        assertThat(parent.getTraceId()).isEqualTo(SPAN.getTraceId());
        assertThat(parent.getSpanId()).isEqualTo(SPAN.getSpanId());
        assertThat(parent.isSampled()).isTrue();
        assertThat(parent.isRemote()).isTrue();
    }

    @Test
    void withoutATraceThereIsNothingToCarry() {
        assertThat(TracePropagation.current().isValid()).as("no span is current").isFalse();
        assertThat(TracePropagation.traceparent(SpanContext.getInvalid())).isNull();
        assertThat(TracePropagation.parent(null)).isSameAs(Context.root());
        assertThat(Span.fromContext(TracePropagation.parent("00-not-a-trace-01")).getSpanContext().isValid()).isFalse();
        assertThat(request().headers().firstValue(TracePropagation.TRACEPARENT)).isEmpty();
    }

    @Test
    void anOutgoingRequestCarriesTheCurrentSpan() {
        try (Scope ignored = Context.root().with(Span.wrap(SPAN)).makeCurrent()) {
            assertThat(request().headers().firstValue(TracePropagation.TRACEPARENT))
                    .contains("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
        }
    }

    @Test
    void aStepFinishedOnAnotherThreadRunsInTheCallersTrace() throws Exception {
        ExecutorService elsewhere = Executors.newSingleThreadExecutor();
        try {
            CompletableFuture<String> later = new CompletableFuture<>();
            CompletableFuture<SpanContext> seen;
            try (Scope ignored = Context.root().with(Span.wrap(SPAN)).makeCurrent()) {
                seen = later.thenApply(TracePropagation.carried(value -> TracePropagation.current()));
            }
            elsewhere.submit(() -> later.complete("introspected")); // completes, and so runs the step, on that thread
            assertThat(seen.get(10, TimeUnit.SECONDS)).isEqualTo(SPAN);

            CompletableFuture<String> untraced = new CompletableFuture<>();
            CompletableFuture<SpanContext> none = untraced.thenApply(TracePropagation.carried(value -> TracePropagation.current()));
            elsewhere.submit(() -> untraced.complete("introspected"));
            assertThat(none.get(10, TimeUnit.SECONDS).isValid()).isFalse();
        } finally {
            elsewhere.shutdownNow();
        }
    }

    private static HttpRequest request() {
        return TracePropagation.propagate(HttpRequest.newBuilder(URI.create("http://127.0.0.1:1/internal/introspect"))).build();
    }
}
