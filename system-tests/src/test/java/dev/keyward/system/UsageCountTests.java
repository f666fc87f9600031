package dev.keyward.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.keyward.testsupport.RawHttp;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Uses are coalesced, never lost: 10,000 authorized requests with 3 keys from 2 client addresses
 * (127.0.0.1 and 127.0.0.2, both loopback) reach the audit trail as far fewer {@code token:used}
 * events whose counts add up to exactly 10,000 — per key and address too — within one coalesce
 * window (1 s) plus delivery after the last request.
 */
class UsageCountTests {

    private static final int REQUESTS = 10_000;
    private static final int THREADS = 4;
    private static final List<String> ADDRESSES = List.of("127.0.0.1", "127.0.0.2");
    /** The coalesce window (1 s, the default) and delivery through Kafka to the audit trail on a busy machine. */
    private static final Duration WINDOW_PLUS_DELIVERY = Duration.ofSeconds(1).plusSeconds(20);
    private static final String REPO = "usage/r";

    private final SystemStack system = SystemStack.shared();

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void theTrailsCountsAddUpToEveryRequest() throws Exception {
        String creator = system.createCreator("usage-lead", "usage/*").getString("token");
        system.createRepo(creator, REPO);
        List<String> keys = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            SystemStack.HttpAnswer created = system.createReadToken(creator, "usage-" + i, "usage/*");
            assertThat(created.status()).as(created.body()).isEqualTo(201);
            keys.add(created.json().getString("token"));
            ids.add(created.json().getString("id"));
        }
        int port = URI.create(system.stack().repoServiceUrl()).getPort();
        String path = "/v1/repos/" + REPO;

        // Request n uses key n % 3 from address n % 2: all six pairs, each its own fold.
        Map<String, AtomicLong> sent = new ConcurrentHashMap<>();
        List<String> unexpected = new ArrayList<>();
        AtomicLong next = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        List<Future<?>> workers = new ArrayList<>();
        long started = System.nanoTime();
        for (int t = 0; t < THREADS; t++) {
            workers.add(pool.submit(() -> {
                for (long n = next.getAndIncrement(); n < REQUESTS; n = next.getAndIncrement()) {
                    int key = (int) (n % keys.size());
                    String address = ADDRESSES.get((int) (n % ADDRESSES.size()));
                    RawHttp.Reply reply = RawHttp.get(address, port, path, "Authorization: Bearer " + keys.get(key));
                    if (reply.status() != 200) {
                        synchronized (unexpected) {
                            unexpected.add(reply.status() + " " + reply.body());
                        }
                    }
                    sent.computeIfAbsent(ids.get(key) + " " + address, k -> new AtomicLong()).incrementAndGet();
                }
                return null;
            }));
        }
        for (Future<?> worker : workers) {
            worker.get();
        }
        pool.shutdown();
        long lastRequest = System.nanoTime();
        assertThat(unexpected).as("answers other than 200").isEmpty();

        // Every use is in the trail within the window plus delivery, counted exactly once.
        Map<String, Long> expected = new HashMap<>();
        sent.forEach((pair, n) -> expected.put(pair, n.get()));
        await().atMost(WINDOW_PLUS_DELIVERY).pollInterval(Duration.ofMillis(250)).untilAsserted(() ->
                assertThat(storedUses(ids)).isEqualTo(expected));
        long complete = System.nanoTime();

        List<Map<String, Object>> events = new ArrayList<>();
        ids.forEach(id -> events.addAll(system.auditEventsOf(id)));
        assertThat(SystemStack.usesIn(events, "token:used")).isEqualTo(REQUESTS);
        long usedEvents = events.stream().filter(e -> "token:used".equals(e.get("type"))).count();
        assertThat(usedEvents).as("events for %d uses", REQUESTS).isLessThan(REQUESTS / 10);
        assertThat(events).filteredOn(e -> ((Map<?, ?>) e.get("data")).get("first_at") != null).isNotEmpty().allSatisfy(e -> {
            Map<?, ?> data = (Map<?, ?>) e.get("data");
            assertThat(Duration.between(Instant.parse((String) data.get("first_at")), Instant.parse((String) data.get("last_at"))))
                    .as("a fold spans at most the window").isLessThan(Duration.ofSeconds(1));
        });
        System.out.printf("[usage] %d requests in %d ms; %d token:used events; the trail was complete %d ms after the last request%n",
                REQUESTS, TimeUnit.NANOSECONDS.toMillis(lastRequest - started), usedEvents,
                TimeUnit.NANOSECONDS.toMillis(complete - lastRequest));
    }

    /** The trail's uses per "token id address", by the count each token:used event stands for. */
    private Map<String, Long> storedUses(List<String> ids) {
        Map<String, Long> uses = new HashMap<>();
        for (String id : ids) {
            for (Map<String, Object> event : system.auditEventsOf(id)) {
                if ("token:used".equals(event.get("type"))) {
                    Map<?, ?> data = (Map<?, ?>) event.get("data");
                    long count = data.get("count") instanceof Number n ? n.longValue() : 1;
                    uses.merge(id + " " + data.get("client_ip"), count, Long::sum);
                }
            }
        }
        return uses;
    }
}
