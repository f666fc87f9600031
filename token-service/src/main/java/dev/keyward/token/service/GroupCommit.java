package dev.keyward.token.service;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;

/**
 * Group commit per key: while one unit of work for a key (an org) is in flight, the items that
 * arrive for that key wait, and then go together as the next unit (one transaction for up to
 * {@code maxItems}). Creates of one org are serialized by its row lock anyway; grouping them pays
 * the lock, the flush and the commit once per group instead of once per item. A lone item goes at
 * once, so a single client waits no longer than before.
 * <p>
 * Each item gets its own outcome (a refusal of one does not fail the others); a unit that fails as
 * a whole fails each of its items. A unit runs on the Vert.x context of its first item's request,
 * and every item is answered on its own request's context.
 *
 * @param <I> an item of work
 * @param <R> an item's result
 */
public final class GroupCommit<I, R> {

    /** One item's outcome: its result or its failure. */
    public record Outcome<R>(R result, Throwable failure) {

        public static <R> Outcome<R> of(R result) {
            return new Outcome<>(result, null);
        }

        public static <R> Outcome<R> failed(Throwable failure) {
            return new Outcome<>(null, failure);
        }
    }

    private record Waiting<I, R>(I item, UniEmitter<? super R> emitter, Context context) {
    }

    private static final class Queue<I, R> {
        final ArrayDeque<Waiting<I, R>> waiting = new ArrayDeque<>();
        boolean running;
    }

    private final BiFunction<String, List<I>, Uni<List<Outcome<R>>>> unit;
    private final int maxItems;
    private final Map<String, Queue<I, R>> queues = new ConcurrentHashMap<>();

    /**
     * @param unit     does the work of several items of one key at once and answers one outcome per
     *                 item, in their order
     * @param maxItems the most items in one unit
     */
    public GroupCommit(BiFunction<String, List<I>, Uni<List<Outcome<R>>>> unit, int maxItems) {
        if (maxItems < 1) {
            throw new IllegalArgumentException("maxItems must be at least 1");
        }
        this.unit = unit;
        this.maxItems = maxItems;
    }

    /** The result of {@code item}, done in a unit with whatever else waits for {@code key}. */
    public Uni<R> submit(String key, I item) {
        return Uni.createFrom().emitter(emitter -> {
            Queue<I, R> queue = queues.computeIfAbsent(key, k -> new Queue<>());
            boolean start;
            synchronized (queue) {
                queue.waiting.add(new Waiting<>(item, emitter, Vertx.currentContext()));
                start = !queue.running;
                queue.running = true;
            }
            if (start) {
                next(key, queue);
            }
        });
    }

    /** How many items of {@code key} wait for the unit in flight (for tests). */
    int waiting(String key) {
        Queue<I, R> queue = queues.get(key);
        if (queue == null) {
            return 0;
        }
        synchronized (queue) {
            return queue.waiting.size();
        }
    }

    /** Starts the next unit of {@code key}, or marks the queue idle when nothing waits. */
    private void next(String key, Queue<I, R> queue) {
        List<Waiting<I, R>> group = new ArrayList<>();
        synchronized (queue) {
            while (group.size() < maxItems && !queue.waiting.isEmpty()) {
                group.add(queue.waiting.poll());
            }
            if (group.isEmpty()) {
                queue.running = false;
                // The idle queue stays in the map: removing it here would race a submit that just found it.
                return;
            }
        }
        run(group.get(0).context(), () -> {
            Uni<List<Outcome<R>>> work;
            try {
                work = unit.apply(key, group.stream().map(Waiting::item).toList());
            } catch (RuntimeException e) {
                work = Uni.createFrom().failure(e);
            }
            work.subscribe().with(outcomes -> {
                for (int i = 0; i < group.size(); i++) {
                    Outcome<R> outcome = i < outcomes.size() ? outcomes.get(i)
                            : Outcome.failed(new IllegalStateException("no outcome for item " + i));
                    answer(group.get(i), outcome);
                }
                next(key, queue);
            }, failure -> {
                group.forEach(w -> answer(w, Outcome.failed(failure)));
                next(key, queue);
            });
        });
    }

    private void answer(Waiting<I, R> waiting, Outcome<R> outcome) {
        run(waiting.context(), () -> {
            if (outcome.failure() != null) {
                waiting.emitter().fail(outcome.failure());
            } else {
                waiting.emitter().complete(outcome.result());
            }
        });
    }

    private static void run(Context context, Runnable action) {
        if (context == null || context == Vertx.currentContext()) {
            action.run();
        } else {
            context.runOnContext(ignored -> action.run());
        }
    }
}
