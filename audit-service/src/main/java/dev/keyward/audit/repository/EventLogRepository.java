package dev.keyward.audit.repository;

import dev.keyward.audit.service.ChainHead;
import dev.keyward.audit.service.HashChain;
import dev.keyward.audit.service.StoredEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The write side of the audit log. Every method runs on a connection inside the caller's
 * transaction, so locking the heads, inserting the rows and moving the heads commit together.
 */
@ApplicationScoped
public class EventLogRepository {

    /**
     * Locks (creating where missing) the chain heads of {@code orgs}. Orgs are locked in sorted order so
     * that two transactions never wait on each other in a cycle.
     */
    public Uni<Map<String, ChainHead>> lockHeads(SqlConnection conn, Set<String> orgs) {
        String[] sorted = orgs.stream().sorted().toArray(String[]::new);
        return conn.preparedQuery("""
                        insert into chain_head (org, last_seq, last_hash)
                        select o, 0, $2 from unnest($1::text[]) as o order by o
                        on conflict (org) do nothing""")
                .execute(Tuple.of(sorted, Buffer.buffer(HashChain.GENESIS)))
                .chain(() -> conn.preparedQuery(
                                "select org, last_seq, last_hash from chain_head where org = any($1) order by org for update")
                        .execute(Tuple.of((Object) sorted)))
                .map(rows -> {
                    Map<String, ChainHead> heads = new HashMap<>();
                    for (Row r : rows) {
                        heads.put(r.getString("org"), new ChainHead(r.getString("org"), r.getLong("last_seq"),
                                r.getBuffer("last_hash").getBytes()));
                    }
                    return heads;
                });
    }

    /** Which of {@code eventIds} are stored already. */
    public Uni<Set<String>> storedIds(SqlConnection conn, Set<String> eventIds) {
        return conn.preparedQuery("select event_id from audit_event where event_id = any($1)")
                .execute(Tuple.of((Object) eventIds.toArray(String[]::new)))
                .map(rows -> {
                    Set<String> ids = new HashSet<>();
                    rows.forEach(r -> ids.add(r.getString(0)));
                    return ids;
                });
    }

    /**
     * Inserts the rows in one statement. Returns how many were inserted: fewer than given means an
     * event id arrived concurrently under another org, and the caller must roll back.
     */
    public Uni<Integer> insert(SqlConnection conn, List<StoredEvent> rows) {
        int n = rows.size();
        String[] org = new String[n];
        Long[] seq = new Long[n];
        String[] eventId = new String[n];
        String[] type = new String[n];
        OffsetDateTime[] time = new OffsetDateTime[n];
        String[] subject = new String[n];
        String[] actor = new String[n];
        String[] keyPrefix = new String[n];
        String[] repo = new String[n];
        String[] clientIp = new String[n];
        Long[] useCount = new Long[n];
        String[] content = new String[n];
        Buffer[] prevHash = new Buffer[n];
        Buffer[] hash = new Buffer[n];
        for (int i = 0; i < n; i++) {
            StoredEvent e = rows.get(i);
            org[i] = e.org();
            seq[i] = e.seq();
            eventId[i] = e.eventId();
            type[i] = e.type();
            time[i] = e.time().atOffset(ZoneOffset.UTC);
            subject[i] = e.subject();
            actor[i] = e.actor();
            keyPrefix[i] = e.keyPrefix();
            repo[i] = e.repo();
            clientIp[i] = e.clientIp();
            useCount[i] = e.useCount();
            content[i] = e.content();
            prevHash[i] = Buffer.buffer(e.prevHash());
            hash[i] = Buffer.buffer(e.hash());
        }
        List<Object> params = new ArrayList<>(List.of(org, seq, eventId, type, time, subject, actor, keyPrefix, repo,
                clientIp, content, prevHash, hash, useCount));
        return conn.preparedQuery("""
                        insert into audit_event (org, seq, event_id, type, time, subject, actor, key_prefix, repo,
                                                 client_ip, content, prev_hash, hash, use_count)
                        select * from unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::timestamptz[],
                                             $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[],
                                             $12::bytea[], $13::bytea[], $14::bigint[])
                        on conflict (event_id) do nothing""")
                .execute(Tuple.from(params))
                .map(result -> result.rowCount());
    }

    /** Moves the heads to their new newest links. */
    public Uni<Void> advanceHeads(SqlConnection conn, List<ChainHead> heads) {
        String[] org = heads.stream().map(ChainHead::org).toArray(String[]::new);
        Long[] seq = heads.stream().map(ChainHead::lastSeq).toArray(Long[]::new);
        Buffer[] hash = heads.stream().map(h -> Buffer.buffer(h.lastHash())).toArray(Buffer[]::new);
        return conn.preparedQuery("""
                        update chain_head h set last_seq = v.seq, last_hash = v.hash
                        from unnest($1::text[], $2::bigint[], $3::bytea[]) as v(org, seq, hash)
                        where h.org = v.org""")
                .execute(Tuple.of(org, seq, hash))
                .replaceWithVoid();
    }
}
