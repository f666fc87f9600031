package dev.keyward.token.jobs;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * Runs a job body on one connection while holding the job's advisory lock, so the job runs once
 * at a time cluster-wide. The body commits its own batches; the lock spans them all.
 */
final class LockedRun {

    private static final Logger LOG = Logger.getLogger(LockedRun.class);

    interface Body {
        Map<String, Long> run(Connection c) throws SQLException;
    }

    private LockedRun() {
    }

    static JobSummary run(DataSource dataSource, String job, long lockKey, Body body) {
        long startedNanos = System.nanoTime();
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(true);
            if (!JobLock.tryAcquire(c, lockKey)) {
                LOG.debugf("job %s: another run holds the lock, skipping", job);
                return JobSummary.skipped(job);
            }
            try {
                c.setAutoCommit(false);
                Map<String, Long> counts = body.run(c);
                long ms = (System.nanoTime() - startedNanos) / 1_000_000;
                LOG.infof("job %s ran in %d ms: %s", job, ms, counts);
                return new JobSummary(job, true, counts, ms);
            } catch (SQLException | RuntimeException e) {
                safeRollback(c);
                throw e;
            } finally {
                c.setAutoCommit(true);
                JobLock.release(c, lockKey);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("job " + job + " failed", e);
        }
    }

    private static void safeRollback(Connection c) {
        try {
            c.rollback();
        } catch (SQLException e) {
            LOG.debug("rollback after a failed job batch failed", e);
        }
    }
}
