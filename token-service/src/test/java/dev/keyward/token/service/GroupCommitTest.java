package dev.keyward.token.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class GroupCommitTest {

    @Test
    void itemsOfOneKeyWaitForTheUnitInFlightAndThenGoTogether() throws Exception {
        CountDownLatch firstUnitStarted = new CountDownLatch(1);
        CountDownLatch releaseFirstUnit = new CountDownLatch(1);
        List<List<Integer>> units = new CopyOnWriteArrayList<>();
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger mostInFlight = new AtomicInteger();
        GroupCommit<Integer, String> group = new GroupCommit<>((key, items) -> Uni.createFrom().item(() -> {
            mostInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            units.add(items);
            if (units.size() == 1) {
                firstUnitStarted.countDown();
                await(releaseFirstUnit);
            }
            inFlight.decrementAndGet();
            return items.stream().map(i -> GroupCommit.Outcome.of(key + ":" + i)).toList();
        }), 64);
        ExecutorService clients = Executors.newFixedThreadPool(10);
        try {
            Future<String> first = clients.submit(() -> group.submit("acme", 0).await().atMost(Duration.ofSeconds(10)));
            assertThat(firstUnitStarted.await(10, TimeUnit.SECONDS)).isTrue();
            List<java.util.concurrent.CompletableFuture<String>> waiting = new ArrayList<>();
            for (int i = 1; i <= 9; i++) {
                waiting.add(group.submit("acme", i).subscribeAsCompletionStage());
            }
            // The nine wait behind the first unit; once it ends they go as one unit.
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> group.waiting("acme") == 9);
            assertThat(units).hasSize(1);
            releaseFirstUnit.countDown();
            assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo("acme:0");
            for (int i = 0; i < waiting.size(); i++) {
                assertThat(waiting.get(i).get(10, TimeUnit.SECONDS)).isEqualTo("acme:" + (i + 1));
            }
        } finally {
            clients.shutdownNow();
        }
        assertThat(mostInFlight.get()).isEqualTo(1);
        assertThat(units.stream().mapToInt(List::size).sum()).isEqualTo(10);
        assertThat(units).hasSize(2);
        assertThat(units.get(0)).containsExactly(0);
        assertThat(units.get(1)).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9);
    }

    @Test
    void aUnitNeverHoldsMoreThanItsLimitAndKeysDoNotWaitForEachOther() throws Exception {
        ConcurrentHashMap<String, AtomicInteger> running = new ConcurrentHashMap<>();
        List<Integer> sizes = new CopyOnWriteArrayList<>();
        AtomicInteger overlapping = new AtomicInteger();
        GroupCommit<Integer, Integer> group = new GroupCommit<>((key, items) -> Uni.createFrom().item(() -> {
            if (running.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet() > 1) {
                overlapping.incrementAndGet();
            }
            sizes.add(items.size());
            try {
                Thread.sleep(2); // a unit that takes a moment, so items pile up behind it
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            running.get(key).decrementAndGet();
            return items.stream().map(GroupCommit.Outcome::of).toList();
        }), 4);
        ExecutorService clients = Executors.newFixedThreadPool(16);
        List<Future<Integer>> answers = new ArrayList<>();
        try {
            for (int i = 0; i < 400; i++) {
                int item = i;
                answers.add(clients.submit(() -> group.submit("org-" + (item % 3), item).await().atMost(Duration.ofSeconds(30))));
            }
            for (int i = 0; i < answers.size(); i++) {
                assertThat(answers.get(i).get(30, TimeUnit.SECONDS)).isEqualTo(i);
            }
        } finally {
            clients.shutdownNow();
        }
        assertThat(overlapping.get()).isZero();
        assertThat(sizes).allMatch(n -> n >= 1 && n <= 4);
        assertThat(sizes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(400);
    }

    @Test
    void eachItemGetsItsOwnOutcomeAndAFailedUnitFailsOnlyItsItems() {
        GroupCommit<Integer, Integer> group = new GroupCommit<>((key, items) -> key.equals("broken")
                ? Uni.createFrom().failure(new IllegalStateException("database gone"))
                : Uni.createFrom().item(items.stream().map(i -> i % 2 == 0 ? GroupCommit.Outcome.of(i)
                        : GroupCommit.Outcome.<Integer>failed(new IllegalArgumentException("odd " + i))).toList()), 8);
        assertThat(group.submit("acme", 2).await().indefinitely()).isEqualTo(2);
        assertThatThrownBy(() -> group.submit("acme", 3).await().indefinitely()).hasMessage("odd 3");
        assertThatThrownBy(() -> group.submit("broken", 4).await().indefinitely()).hasMessage("database gone");
        // The broken key's queue went on: a later item is still served.
        assertThatThrownBy(() -> group.submit("broken", 6).await().indefinitely()).hasMessage("database gone");
        assertThat(group.submit("acme", 8).await().indefinitely()).isEqualTo(8);
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
