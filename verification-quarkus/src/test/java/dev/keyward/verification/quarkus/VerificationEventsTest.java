package dev.keyward.verification.quarkus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.keyward.contract.RefusalReason;
import dev.keyward.contract.Scopes;
import dev.keyward.contract.TokenKind;
import dev.keyward.events.EventCodec;
import dev.keyward.events.EventType;
import dev.keyward.events.KeywardEvent;
import dev.keyward.verification.CredentialForm;
import dev.keyward.verification.UseEvents;
import dev.keyward.verification.Verification;
import dev.keyward.verification.VerifiedPrincipal;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class VerificationEventsTest {

    private final Clock clock = Clock.fixed(Instant.parse("2026-03-01T10:00:00Z"), ZoneOffset.UTC);
    private final VerifiedPrincipal principal = new VerifiedPrincipal("acme", "user-1", "tok_9", TokenKind.REPO,
            Scopes.parse(Map.of("repos:team/*", List.of("git:read"))), null, "kw_prod_r_ab", List.of(), CredentialForm.API_KEY, null);

    /**
     * In each round the sink stalls while request threads emit a burst that fills the buffer to the
     * last place (a broker that is slow in bursts), then catches up: nothing may be lost or repeated.
     */
    @Test
    void everyEventFromSeveralThreadsArrivesOnceAndInOrderThroughASinkSlowInBursts() throws Exception {
        int threads = 4;
        int perRound = 2_000;
        int rounds = 3;
        int total = threads * perRound * rounds;
        AtomicReference<CountDownLatch> stall = new AtomicReference<>(new CountDownLatch(0));
        RecordingSink recorded = new RecordingSink();
        EventSink slowInBursts = (event, failures) -> {
            if (!stall.get().await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the test never ended the stall");
            }
            recorded.publish(event, failures);
        };
        VerificationEvents events = new VerificationEvents("/keyward/test", slowInBursts, threads * perRound, clock);
        ExecutorService requestThreads = Executors.newFixedThreadPool(threads);
        try {
            for (int round = 0; round < rounds; round++) {
                CountDownLatch thisStall = new CountDownLatch(1);
                stall.set(thisStall);
                int first = round * perRound;
                List<Callable<Void>> emitters = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    String repo = "thread-" + t + "/app";
                    emitters.add(() -> {
                        for (int i = first; i < first + perRound; i++) {
                            events.used(principal, "git:read", repo, "seq-" + i, VerificationEvents.SUCCESS, null);
                        }
                        return null;
                    });
                }
                for (Future<Void> f : requestThreads.invokeAll(emitters)) {
                    f.get();
                }
                thisStall.countDown();
                int sent = (round + 1) * threads * perRound;
                await().atMost(Duration.ofSeconds(30)).until(() -> recorded.published.size() >= sent || events.dropped() > 0);
            }
        } finally {
            requestThreads.shutdownNow();
            events.close();
        }

        assertThat(events.dropped()).isZero();
        assertThat(events.failed()).isZero();
        assertThat(events.pending()).isZero();
        assertThat(recorded.published).hasSize(total);
        assertThat(recorded.published.stream().map(KeywardEvent::id).distinct().count()).isEqualTo(total);
        Map<String, List<Integer>> sequenceByThread = recorded.published.stream().collect(Collectors.groupingBy(
                e -> e.data().repo(), Collectors.mapping(e -> Integer.parseInt(e.data().clientIp().substring(4)), Collectors.toList())));
        List<Integer> expected = IntStream.range(0, perRound * rounds).boxed().toList();
        assertThat(sequenceByThread).hasSize(threads).allSatisfy((thread, sequence) ->
                assertThat(sequence).as("events of %s, in the order the sink got them", thread).isEqualTo(expected));
    }

    @Test
    void theSinkGetsTheOrgAsKeyAndBytesThatDecodeToTheSameEvent() {
        RecordingSink recorded = new RecordingSink();
        VerificationEvents events = new VerificationEvents("/keyward/test", recorded, 10, clock);
        events.used(principal, "git:read", "team/app", "10.0.0.1", VerificationEvents.DENIED, RefusalReason.SCOPE);
        events.authFailed(Verification.refused(RefusalReason.REVOKED, "revoked").withKeyPrefix("kw_prod_o_cd"),
                "git:write", "team/app", "10.0.0.2", "globex");
        events.close();

        assertThat(recorded.records).hasSize(2);
        for (int i = 0; i < 2; i++) {
            EncodedEvent record = recorded.records.get(i);
            KeywardEvent decoded = recorded.published.get(i);
            assertThat(record.key()).isEqualTo(decoded.partitionKey());
            assertThat(record.type()).isEqualTo(decoded.type());
            assertThat(record.json()).as("re-encoding the decoded event").isEqualTo(EventCodec.toJsonBytes(decoded));
        }
        KeywardEvent used = recorded.published.get(0);
        assertThat(used.type()).isEqualTo(EventType.TOKEN_USED);
        assertThat(used.source()).isEqualTo("/keyward/test");
        assertThat(used.time()).isEqualTo(clock.instant());
        assertThat(used.data().org()).isEqualTo("acme");
        assertThat(used.data().reason()).isEqualTo("scope");
        assertThat(used.data().attributes()).isEqualTo(Map.of("subject", "user-1", "form", "api_key"));
        KeywardEvent failed = recorded.published.get(1);
        assertThat(failed.type()).isEqualTo(EventType.AUTH_FAILED);
        assertThat(failed.data().org()).isEqualTo("globex");
        assertThat(failed.data().keyPrefix()).isEqualTo("kw_prod_o_cd");
        assertThat(failed.data().reason()).isEqualTo("revoked");
    }

    @Test
    void theUseOfAnExchangedTokenNamesItsJtiAndTrustPolicy() {
        VerifiedPrincipal exchanged = new VerifiedPrincipal("acme", "repo:acme/app:ref:refs/heads/main", "xtok_abc",
                TokenKind.REPO, Scopes.parse(Map.of("repos:acme/app", List.of("git:read"))), clock.instant().plusSeconds(600),
                null, List.of(), CredentialForm.EXCHANGED, "tp_123");
        RecordingSink recorded = new RecordingSink();
        VerificationEvents events = new VerificationEvents("/keyward/test", recorded, 10, clock);
        events.used(exchanged, "git:read", "acme/app", "10.0.0.1", VerificationEvents.SUCCESS, null);
        events.close();

        KeywardEvent used = recorded.published.get(0);
        assertThat(used.type()).isEqualTo(EventType.TOKEN_USED);
        assertThat(used.subject()).isEqualTo("xtok_abc");
        assertThat(used.data().actor()).isEqualTo("xtok_abc");
        assertThat(used.data().keyPrefix()).isNull();
        assertThat(used.data().attributes()).isEqualTo(Map.of("subject", "repo:acme/app:ref:refs/heads/main",
                "form", "exchanged", "trust_policy", "tp_123"));
    }

    /** An unreachable broker fails thousands of events: each is counted, the log says so once in a while. */
    @Test
    void failuresOfTheSinkNowOrLaterAreCountedAndLoggedOncePerInterval() throws Exception {
        List<LogRecord> logged = new CopyOnWriteArrayList<>();
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                logged.add(record);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger logger = Logger.getLogger(VerificationEvents.class.getName());
        logger.addHandler(handler);
        ExecutorService producerIo = Executors.newSingleThreadExecutor();
        // auth:failed is refused at once; token:used is accepted and reported undelivered later, from another thread
        EventSink unreachable = (event, failures) -> {
            if (event.type() == EventType.AUTH_FAILED) {
                throw new IOException("broker unreachable");
            }
            producerIo.execute(() -> failures.failed(event, new TimeoutException("delivery timed out")));
        };
        VerificationEvents events = new VerificationEvents("/keyward/test", unreachable, 1_000, clock);
        try {
            for (int i = 0; i < 50; i++) {
                events.used(principal, "git:read", "team/app", "10.0.0.1", VerificationEvents.SUCCESS, null);
                events.authFailed(Verification.refused(RefusalReason.UNKNOWN, "x").withKeyPrefix("kw_prod_r_ab"),
                        "git:read", null, "10.0.0.1", "acme");
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> events.failed() == 100);
        } finally {
            events.close();
            producerIo.shutdown();
            logger.removeHandler(handler);
        }

        assertThat(events.dropped()).isZero();
        assertThat(logged).as("one warning for the first failure, none for the next 99 within 10 s").hasSize(1);
        String message = java.text.MessageFormat.format(logged.get(0).getMessage(), logged.get(0).getParameters());
        assertThat(message).containsAnyOf("broker unreachable", "delivery timed out").doesNotContain("kw_prod_r_ab", "10.0.0.1");
    }
    /**
     * A broker that is unreachable for a while (sends refused at once, and accepted sends reported
     * undelivered later from another thread), then back: with a spool, every event arrives, none is
     * counted lost, and the spool ends empty.
     */
    @Test
    void withASpoolABrokerOutageDelaysEventsAndLosesNone(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp)
            throws Exception {
        java.util.concurrent.atomic.AtomicBoolean down = new java.util.concurrent.atomic.AtomicBoolean(true);
        RecordingSink recorded = new RecordingSink();
        ExecutorService producerIo = Executors.newSingleThreadExecutor();
        EventSink flaky = new EventSink() {
            @Override
            public void publish(EncodedEvent event, Failures failures) throws Exception {
                if (!down.get()) {
                    recorded.publish(event, failures);
                } else if (event.type() == EventType.AUTH_FAILED) {
                    throw new IOException("broker unreachable");
                } else {
                    producerIo.execute(() -> failures.failed(event, new TimeoutException("delivery timed out")));
                }
            }

            @Override
            public void flush() throws Exception {
                producerIo.submit(() -> { }).get(); // the failures reported so far have reached the spool
            }
        };
        VerificationEvents events = new VerificationEvents("/keyward/test", flaky, 1_000, clock,
                EventSpool.open(tmp.resolve("spool"), Long.MAX_VALUE), Duration.ZERO, 1);
        int n = 3_000;
        try {
            for (int i = 0; i < n; i++) {
                if (i % 2 == 0) {
                    events.used(principal, "git:read", "team/app", "seq-" + i, VerificationEvents.SUCCESS, null);
                } else {
                    events.authFailed(Verification.refused(RefusalReason.UNKNOWN, "x").withKeyPrefix("kw_prod_r_ab"),
                            "git:read", null, "seq-" + i, "acme");
                }
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> events.spooled() == n);
            assertThat(recorded.published).isEmpty();

            down.set(false);
            await().atMost(Duration.ofSeconds(60)).until(() -> events.spooled() == 0
                    && recorded.published.stream().map(e -> e.data().clientIp()).distinct().count() == n);
            events.used(principal, "git:read", "team/app", "after", VerificationEvents.SUCCESS, null);
            await().atMost(Duration.ofSeconds(30)).until(() ->
                    recorded.published.stream().anyMatch(e -> "after".equals(e.data().clientIp())));
        } finally {
            events.close();
            producerIo.shutdown();
        }
        assertThat(events.dropped()).isZero();
        assertThat(events.failed()).isZero();
        assertThat(recorded.published).extracting(e -> e.data().clientIp())
                .containsAll(IntStream.range(0, n).mapToObj(i -> "seq-" + i).toList());
    }
    /** Events a process left in its spool (stopped during an outage) are sent by the next one, before its own. */
    @Test
    void theNextStartSendsWhatTheSpoolKept(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) throws Exception {
        java.nio.file.Path dir = tmp.resolve("spool");
        try (EventSpool left = EventSpool.open(dir, Long.MAX_VALUE)) {
            for (int i = 0; i < 10; i++) {
                KeywardEvent event = KeywardEvent.of("/keyward/test", EventType.TOKEN_USED, clock.instant(), "tok_9",
                        dev.keyward.events.EventData.forOrg("acme").clientIp("left-" + i).build());
                left.append(EncodedEvent.of(event, io.opentelemetry.api.trace.SpanContext.getInvalid()));
            }
        }
        RecordingSink recorded = new RecordingSink();
        VerificationEvents events = new VerificationEvents("/keyward/test", recorded, 100, clock, EventSpool.open(dir, Long.MAX_VALUE),
                Duration.ZERO, 1);
        try {
            events.used(principal, "git:read", "team/app", "new", VerificationEvents.SUCCESS, null);
            await().atMost(Duration.ofSeconds(30)).until(() -> recorded.published.size() == 11 && events.spooled() == 0);
        } finally {
            events.close();
        }
        assertThat(recorded.published).extracting(e -> e.data().clientIp())
                .containsExactly("left-0", "left-1", "left-2", "left-3", "left-4", "left-5", "left-6", "left-7", "left-8",
                        "left-9", "new");
    }

    /**
     * With a window, identical uses become one event with their count and times, sent when the window
     * ends (not before); other uses are other events; a push is its own event at once, with its refs.
     */
    @Test
    void identicalUsesOfOneWindowBecomeOneEventWithTheirCountAndAPushIsNeverFolded() {
        RecordingSink recorded = new RecordingSink();
        Duration window = Duration.ofMillis(500);
        VerificationEvents events = new VerificationEvents("/keyward/test", recorded, 100, Clock.systemUTC(), null, window, 100);
        try {
            long start = System.nanoTime();
            Instant before = Instant.now();
            for (int i = 0; i < 50; i++) {
                events.used(principal, "git:read", "team/app", "10.0.0.1", VerificationEvents.SUCCESS, null);
                events.used(principal, "git:read", "team/app", "10.0.0.2", VerificationEvents.SUCCESS, null);
            }
            events.used(principal, "git:read", "team/app", "10.0.0.1", VerificationEvents.DENIED, RefusalReason.SCOPE);
            events.pushed(principal, "git:write", "team/app", "10.0.0.1", VerificationEvents.SUCCESS, null,
                    List.of(new UseEvents.RefUpdate("refs/heads/main", "a".repeat(40), "b".repeat(40))));
            events.pushed(principal, "git:write", "team/app", "10.0.0.1", VerificationEvents.SUCCESS, null, List.of());
            Instant after = Instant.now();

            await().atMost(Duration.ofSeconds(10)).until(() -> recorded.published.size() == 5);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("the folds wait for their window's end")
                    .isGreaterThanOrEqualTo(window.minusMillis(1));
            KeywardEvent firstPush = recorded.published.get(0);
            assertThat(firstPush.uses()).isEqualTo(1);
            assertThat(firstPush.data().count()).isNull();
            assertThat(firstPush.data().operation()).isEqualTo("git:write");
            assertThat(firstPush.data().attributes()).containsEntry("refs",
                    List.of(Map.of("name", "refs/heads/main", "old", "a".repeat(40), "new", "b".repeat(40))))
                    .containsEntry("form", "api_key");
            assertThat(recorded.published.get(1).data().attributes()).containsEntry("refs", List.of());

            List<KeywardEvent> folds = recorded.published.subList(2, 5);
            assertThat(folds).extracting(e -> e.data().clientIp() + " " + e.data().outcome() + " " + e.uses())
                    .containsExactlyInAnyOrder("10.0.0.1 success 50", "10.0.0.2 success 50", "10.0.0.1 denied 1");
            assertThat(folds).allSatisfy(e -> {
                assertThat(e.type()).isEqualTo(EventType.TOKEN_USED);
                assertThat(e.subject()).isEqualTo("tok_9");
                assertThat(e.data().attributes()).isEqualTo(Map.of("subject", "user-1", "form", "api_key"));
                assertThat(e.firstUse()).isEqualTo(e.time()).isBetween(before.minusMillis(1), after);
                assertThat(e.lastUse()).isBetween(e.firstUse(), after);
            });
            assertThat(folds).filteredOn(e -> e.uses() == 1).singleElement()
                    .satisfies(e -> assertThat(e.data().count()).as("one use has no count").isNull());
        } finally {
            events.close();
        }
    }

    @Test
    void withoutAWindowEachUseIsAnEventOfItsOwn() {
        RecordingSink recorded = new RecordingSink();
        VerificationEvents events = new VerificationEvents("/keyward/test", recorded, 100, clock, null, Duration.ZERO, 100);
        for (int i = 0; i < 3; i++) {
            events.used(principal, "git:read", "team/app", "10.0.0.1", VerificationEvents.SUCCESS, null);
            events.authFailed(Verification.refused(RefusalReason.UNKNOWN, "x"), "git:read", null, "10.0.0.1", "acme");
        }
        events.close();
        assertThat(recorded.published).hasSize(6).allSatisfy(e -> {
            assertThat(e.uses()).isEqualTo(1);
            assertThat(e.data().count()).isNull();
        });
    }

    /**
     * An event carries the trace of its use to the sink, which publishes it later from another thread:
     * a fold that of its first use, a push its own; a use outside any trace carries none.
     */
    @Test
    void eachEventCarriesTheTraceOfItsUseAndAFoldThatOfItsFirst() {
        RecordingSink recorded = new RecordingSink();
        VerificationEvents events = new VerificationEvents("/keyward/test", recorded, 100, Clock.systemUTC(), null,
                Duration.ofSeconds(1), 100);
        within(span("a1"), () -> events.used(principal, "git:read", "team/app", "10.0.0.1", VerificationEvents.SUCCESS, null));
        within(span("a2"), () -> events.used(principal, "git:read", "team/app", "10.0.0.1", VerificationEvents.SUCCESS, null));
        within(span("b1"), () -> events.pushed(principal, "git:write", "team/app", "10.0.0.1", VerificationEvents.SUCCESS, null,
                List.of()));
        within(span("c1"), () -> events.authFailed(Verification.refused(RefusalReason.UNKNOWN, "x"), "git:read", null,
                "10.0.0.2", "acme"));
        events.used(principal, "git:read", "team/app", "10.0.0.3", VerificationEvents.SUCCESS, null);
        events.close();

        Map<String, String> traceOfUse = new java.util.HashMap<>();
        for (int i = 0; i < recorded.records.size(); i++) {
            KeywardEvent event = recorded.published.get(i);
            traceOfUse.put(event.data().operation() + " " + event.data().clientIp() + " " + event.uses(),
                    String.valueOf(recorded.records.get(i).traceparent()));
        }
        assertThat(traceOfUse).containsOnly(
                Map.entry("git:read 10.0.0.1 2", "00-" + "a1".repeat(16) + "-" + "a1".repeat(8) + "-01"),
                Map.entry("git:write 10.0.0.1 1", "00-" + "b1".repeat(16) + "-" + "b1".repeat(8) + "-01"),
                Map.entry("git:read 10.0.0.2 1", "00-" + "c1".repeat(16) + "-" + "c1".repeat(8) + "-01"),
                Map.entry("git:read 10.0.0.3 1", "null"));
    }

    private static io.opentelemetry.api.trace.SpanContext span(String hex) {
        return io.opentelemetry.api.trace.SpanContext.create(hex.repeat(16), hex.repeat(8),
                io.opentelemetry.api.trace.TraceFlags.getSampled(), io.opentelemetry.api.trace.TraceState.getDefault());
    }

    private static void within(io.opentelemetry.api.trace.SpanContext span, Runnable use) {
        try (io.opentelemetry.context.Scope ignored = io.opentelemetry.context.Context.root()
                .with(io.opentelemetry.api.trace.Span.wrap(span)).makeCurrent()) {
            use.run();
        }
    }

    /** Closing (shutdown) sends the folds whose window has not ended yet: no count is lost. */
    @Test
    void closingSendsTheOpenFolds() {
        RecordingSink recorded = new RecordingSink();
        VerificationEvents events = new VerificationEvents("/keyward/test", recorded, 100, Clock.systemUTC(), null,
                Duration.ofSeconds(1), 100);
        for (int i = 0; i < 7; i++) {
            events.used(principal, "git:read", "team/app", "10.0.0.1", VerificationEvents.SUCCESS, null);
            events.authFailed(Verification.refused(RefusalReason.REVOKED, "revoked").withKeyPrefix("kw_prod_o_cd"),
                    "git:read", "team/app", "10.0.0.2", "acme");
        }
        assertThat(events.pending()).as("two open folds").isEqualTo(2);
        events.close();

        assertThat(recorded.published).extracting(e -> e.type().wireName() + " " + e.uses())
                .containsExactlyInAnyOrder("token:used 7", "auth:failed 7");
        assertThat(recorded.published).filteredOn(e -> e.type() == EventType.AUTH_FAILED).singleElement().satisfies(e -> {
            assertThat(e.data().org()).isEqualTo("acme");
            assertThat(e.data().keyPrefix()).isEqualTo("kw_prod_o_cd");
            assertThat(e.data().reason()).isEqualTo("revoked");
            assertThat(e.data().outcome()).isEqualTo("failure");
        });
        assertThat(events.pending()).isZero();
    }

    @Test
    void aWindowBeyondOneSecondIsRefused() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new VerificationEvents("/keyward/test", new RecordingSink(), 10,
                        clock, null, Duration.ofMillis(1001), 100))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1000 ms");
    }

    /** Folded uses during a broker outage wait in the spool: after it, their counts add up to every use. */
    @Test
    void foldedUsesSurviveABrokerOutageThroughTheSpool(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp)
            throws Exception {
        java.util.concurrent.atomic.AtomicBoolean down = new java.util.concurrent.atomic.AtomicBoolean(true);
        RecordingSink recorded = new RecordingSink();
        EventSink flaky = (event, failures) -> {
            if (down.get()) {
                throw new IOException("broker unreachable");
            }
            recorded.publish(event, failures);
        };
        VerificationEvents events = new VerificationEvents("/keyward/test", flaky, 1_000, Clock.systemUTC(),
                EventSpool.open(tmp.resolve("spool"), Long.MAX_VALUE), Duration.ofMillis(100), 100);
        int n = 5_000;
        try {
            for (int i = 0; i < n; i++) {
                events.used(principal, "git:read", "team/app", "10.0.0." + (i % 3), VerificationEvents.SUCCESS, null);
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> events.spooled() >= 3 && events.pending() == 0);
            assertThat(recorded.published).isEmpty();
            down.set(false);
            await().atMost(Duration.ofSeconds(60)).until(() -> events.spooled() == 0
                    && recorded.published.stream().mapToLong(KeywardEvent::uses).sum() == n);
        } finally {
            events.close();
        }
        assertThat(events.dropped()).isZero();
        assertThat(events.failed()).isZero();
        assertThat(recorded.published.stream().mapToLong(KeywardEvent::uses).sum()).isEqualTo(n);
    }
}
