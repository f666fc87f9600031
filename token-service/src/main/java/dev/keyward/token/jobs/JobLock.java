package dev.keyward.token.jobs;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * A session-level PostgreSQL advisory lock: one holder cluster-wide. It survives the commits of
 * the batches run on the same connection and goes away with the connection if the process dies.
 */
final class JobLock {

    private JobLock() {
    }

    static boolean tryAcquire(Connection c, long key) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("select pg_try_advisory_lock(?)")) {
            s.setLong(1, key);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }

    static void release(Connection c, long key) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("select pg_advisory_unlock(?)")) {
            s.setLong(1, key);
            s.executeQuery().close();
        }
    }
}
