package dev.keyward.audit.repository;

import dev.keyward.audit.service.ChainHead;
import dev.keyward.audit.service.ChainVerifier;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Reads an org's chain for verification: its anchor, its head and its rows in seq order. */
@ApplicationScoped
public class ChainRepository {

    /** Where verification starts: the retention anchor, or the genesis. */
    public Uni<ChainHead> anchor(SqlConnection conn, String org) {
        return conn.preparedQuery("select anchor_seq, anchor_hash from chain_anchor where org = $1")
                .execute(Tuple.of(org))
                .map(rows -> {
                    if (rows.size() == 0) {
                        return ChainHead.genesis(org);
                    }
                    Row r = rows.iterator().next();
                    return new ChainHead(org, r.getLong("anchor_seq"), r.getBuffer("anchor_hash").getBytes());
                });
    }

    /** The recorded newest link; empty for an org with no events. */
    public Uni<Optional<ChainHead>> head(SqlConnection conn, String org) {
        return conn.preparedQuery("select last_seq, last_hash from chain_head where org = $1")
                .execute(Tuple.of(org))
                .map(rows -> {
                    if (rows.size() == 0) {
                        return Optional.<ChainHead>empty();
                    }
                    Row r = rows.iterator().next();
                    return Optional.of(new ChainHead(org, r.getLong("last_seq"), r.getBuffer("last_hash").getBytes()));
                });
    }

    /** Up to {@code limit} rows with {@code seq > afterSeq}, in seq order. */
    public Uni<List<ChainVerifier.Row>> rows(SqlConnection conn, String org, long afterSeq, int limit) {
        return conn.preparedQuery("""
                        select seq, event_id, type, time, subject, actor, key_prefix, repo, client_ip, content,
                               prev_hash, hash
                        from audit_event where org = $1 and seq > $2 order by seq limit $3""")
                .execute(Tuple.of(org, afterSeq, limit))
                .map(rows -> {
                    List<ChainVerifier.Row> out = new ArrayList<>(rows.size());
                    for (Row r : rows) {
                        out.add(new ChainVerifier.Row(r.getLong("seq"), r.getString("event_id"), r.getString("type"),
                                r.getOffsetDateTime("time").toInstant(), r.getString("subject"), r.getString("actor"),
                                r.getString("key_prefix"), r.getString("repo"), r.getString("client_ip"),
                                r.getString("content"), r.getBuffer("prev_hash").getBytes(),
                                r.getBuffer("hash").getBytes()));
                    }
                    return out;
                });
    }

}
