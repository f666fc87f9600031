package dev.keyward.audit.repository;

import dev.keyward.audit.service.HashChain;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;

/** The only delete path of the audit log. */
@ApplicationScoped
public class RetentionRepository {

    private final Pool pool;

    public RetentionRepository(Pool pool) {
        this.pool = pool;
    }

    /** Per org, the newest seq stored before {@code cutoff}: everything up to it is due. */
    public Uni<Map<String, Long>> dueBoundaries(Instant cutoff) {
        return pool.preparedQuery("select org, max(seq) as due from audit_event where ingested_at < $1 group by org")
                .execute(Tuple.of(cutoff.atOffset(ZoneOffset.UTC)))
                .map(rows -> {
                    Map<String, Long> due = new LinkedHashMap<>();
                    for (Row r : rows) {
                        due.put(r.getString("org"), r.getLong("due"));
                    }
                    return due;
                });
    }

    /**
     * In one transaction: lock the org's anchor, delete at most {@code batchSize} rows after it up to
     * {@code dueSeq}, and move the anchor to the last deleted row's seq and hash. Completes with the
     * number of rows deleted (0 when nothing is left).
     */
    public Uni<Integer> purgeBatch(String org, long dueSeq, int batchSize, Instant cutoff) {
        return pool.withTransaction(conn -> conn.query("set local keyward.audit_retention_purge = 'on'").execute()
                .chain(() -> conn.preparedQuery("""
                                insert into chain_anchor (org, anchor_seq, anchor_hash, purged_before)
                                values ($1, 0, $2, $3) on conflict (org) do nothing""")
                        .execute(Tuple.of(org, Buffer.buffer(HashChain.GENESIS), cutoff.atOffset(ZoneOffset.UTC))))
                .chain(() -> conn.preparedQuery("select anchor_seq from chain_anchor where org = $1 for update")
                        .execute(Tuple.of(org)))
                .map(rows -> rows.iterator().next().getLong("anchor_seq"))
                .chain(anchor -> {
                    long upTo = Math.min(dueSeq, anchor + batchSize);
                    if (upTo <= anchor) {
                        return Uni.createFrom().item(0);
                    }
                    return moveAnchor(conn, org, anchor, upTo, cutoff);
                }));
    }

    private Uni<Integer> moveAnchor(SqlConnection conn, String org, long anchor, long upTo, Instant cutoff) {
        return conn.preparedQuery("select hash from audit_event where org = $1 and seq = $2")
                .execute(Tuple.of(org, upTo))
                .chain(rows -> {
                    if (rows.size() == 0) {
                        // The boundary row itself is gone: leave the chain as it is so verify reports it.
                        return Uni.createFrom().item(0);
                    }
                    Buffer hash = Buffer.buffer(rows.iterator().next().getBuffer("hash").getBytes());
                    return conn.preparedQuery("delete from audit_event where org = $1 and seq > $2 and seq <= $3")
                            .execute(Tuple.of(org, anchor, upTo))
                            .chain(deleted -> conn.preparedQuery("""
                                            update chain_anchor set anchor_seq = $2, anchor_hash = $3,
                                                   purged_before = $4, updated_at = now()
                                            where org = $1""")
                                    .execute(Tuple.of(org, upTo, hash, cutoff.atOffset(ZoneOffset.UTC)))
                                    .replaceWith(deleted.rowCount()));
                });
    }
}
