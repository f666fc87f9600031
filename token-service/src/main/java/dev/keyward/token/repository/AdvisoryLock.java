package dev.keyward.token.repository;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * PostgreSQL advisory locks: one holder cluster-wide of a job or of the outbox relay. The lock is
 * session-level on a connection of its own, held while the body runs (its batches commit on other
 * connections) and gone with that connection if the process dies; or, for a short step of a
 * request, transaction-level ({@link #holdUntilCommit}).
 */
@ApplicationScoped
public class AdvisoryLock {

    private final Pool pool;

    public AdvisoryLock(Pool pool) {
        this.pool = pool;
    }

    /**
     * Runs {@code body} while holding lock {@code key}; empty, without running it, when someone
     * else holds the lock. Blocking: for worker threads only.
     */
    public <T> Optional<T> tryRun(long key, Supplier<T> body) {
        SqlConnection connection = pool.getConnectionAndAwait();
        try {
            boolean acquired = connection.preparedQuery("select pg_try_advisory_lock($1)")
                    .executeAndAwait(Tuple.of(key)).iterator().next().getBoolean(0);
            if (!acquired) {
                return Optional.empty();
            }
            try {
                return Optional.of(body.get());
            } finally {
                connection.preparedQuery("select pg_advisory_unlock($1)").executeAndAwait(Tuple.of(key));
            }
        } finally {
            connection.closeAndAwait();
        }
    }

    /**
     * Takes lock {@code key} for the current reactive (Panache) transaction, waiting while another
     * holds it; PostgreSQL releases it at commit or rollback. For work a request must do once
     * cluster-wide, e.g. creating the first signing key. Never use a {@link #tryRun} key here:
     * a holder of both would wait for itself.
     */
    public Uni<Void> holdUntilCommit(long key) {
        return Panache.getSession().chain(s -> s.createNativeQuery("select 1 from pg_advisory_xact_lock(?1)")
                .setParameter(1, key).getSingleResult()).replaceWithVoid();
    }
}
