package dev.keyward.token.repository;

import io.quarkus.vertx.core.runtime.context.VertxContextSafetyToggle;
import io.smallrye.common.vertx.VertxContext;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * The one place where code outside a request (scheduled jobs, the outbox relay, the last-use
 * writer, the shared verifier's lookups) reaches the database. The service has one way to the
 * database, the reactive datasource (Hibernate Reactive on the reactive PostgreSQL pool); Flyway's
 * migrations at start are the only JDBC. Jobs send e-mails and webhooks between their
 * transactions, so they run on worker threads and wait here for each unit of reactive work.
 */
@ApplicationScoped
public class BlockingDatabase {

    private final Vertx vertx;

    public BlockingDatabase(Vertx vertx) {
        this.vertx = vertx;
    }

    /**
     * Runs reactive work on a Vert.x context of its own (Hibernate Reactive needs a safe one; the
     * caller may be on any thread) and completes with its outcome.
     */
    public <T> CompletionStage<T> onOwnContext(Supplier<Uni<T>> work) {
        CompletableFuture<T> result = new CompletableFuture<>();
        Context context = VertxContext.createNewDuplicatedContext(vertx.getOrCreateContext());
        VertxContextSafetyToggle.setContextSafe(context, true);
        context.runOnContext(ignored -> {
            try {
                work.get().subscribe().with(result::complete, result::completeExceptionally);
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        });
        return result;
    }

    /** {@link #onOwnContext}, waiting for the result: for worker threads only, never an event loop. */
    public <T> T await(Supplier<Uni<T>> work) {
        try {
            return onOwnContext(work).toCompletableFuture().join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    /** A timestamp parameter of a native query (the reactive client binds timestamptz from this type). */
    public static OffsetDateTime at(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }

    /** A timestamp column of a native query's result row. */
    public static Instant instant(Object column) {
        if (column == null) {
            return null;
        }
        if (column instanceof Instant i) {
            return i;
        }
        if (column instanceof OffsetDateTime o) {
            return o.toInstant();
        }
        if (column instanceof LocalDateTime l) {
            return l.toInstant(ZoneOffset.UTC);
        }
        if (column instanceof java.util.Date d) {
            return d.toInstant();
        }
        throw new IllegalStateException("not a timestamp: " + column.getClass().getName());
    }
}
