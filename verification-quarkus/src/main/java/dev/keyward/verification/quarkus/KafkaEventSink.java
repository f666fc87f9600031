package dev.keyward.verification.quarkus;

import dev.keyward.events.EventCodec;
import dev.keyward.events.KeywardEvent;
import dev.keyward.verification.TracePropagation;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.TracingMetadata;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * Hands verification events to the {@code keyward-usage} channel (SmallRye Kafka connector; topic
 * from {@link KeywardEvent#topicOf}, key = org id). The value is already encoded on the request
 * thread. The broker's answer comes back as the message's ack or nack; a nack (the producer gave
 * up after its delivery timeout) and a full channel are reported to the caller's
 * {@link EventSink.Failures} or thrown, so the event goes to the spool. The record continues the
 * trace of the use it reports (the connector's producer span is its child and fills the headers).
 */
final class KafkaEventSink implements EventSink {

    private static final byte[] CONTENT_TYPE = EventCodec.CONTENT_TYPE.getBytes(StandardCharsets.UTF_8);
    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

    private final MutinyEmitter<byte[]> channel;
    private final Duration flushLimit;
    /** Messages handed on whose ack or nack has not come yet ({@link #flush()} waits for none). */
    private final AtomicLong inFlight = new AtomicLong();

    /** @param flushLimit how long {@link #flush()} waits at most: the producer's delivery timeout and a margin */
    KafkaEventSink(MutinyEmitter<byte[]> channel, Duration flushLimit) {
        this.channel = channel;
        this.flushLimit = flushLimit;
    }

    @Override
    public void publish(EncodedEvent event, Failures failures) {
        RecordHeaders headers = new RecordHeaders();
        headers.add("content-type", CONTENT_TYPE);
        Message<byte[]> message = Message.of(event.json())
                .addMetadata(OutgoingKafkaRecordMetadata.<String>builder()
                        .withTopic(KeywardEvent.topicOf(event.type())).withKey(event.key()).withHeaders(headers).build())
                .addMetadata(TracingMetadata.withCurrent(TracePropagation.parent(event.traceparent())))
                .withAck(() -> {
                    inFlight.decrementAndGet();
                    return DONE;
                })
                .withNack(cause -> {
                    inFlight.decrementAndGet();
                    failures.failed(event, cause instanceof Exception e ? e : new IllegalStateException(cause));
                    return DONE;
                });
        inFlight.incrementAndGet();
        try {
            channel.sendMessageAndForget(message); // throws when the channel's buffer is full: the caller spools
        } catch (RuntimeException e) {
            inFlight.decrementAndGet();
            throw e;
        }
    }

    @Override
    public void flush() throws TimeoutException {
        long deadline = System.nanoTime() + flushLimit.toNanos();
        while (inFlight.get() > 0) {
            if (System.nanoTime() - deadline > 0) {
                throw new TimeoutException(inFlight.get() + " events still unanswered by the broker");
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }
}
