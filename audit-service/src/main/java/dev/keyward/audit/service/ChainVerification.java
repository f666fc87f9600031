package dev.keyward.audit.service;

import dev.keyward.audit.repository.ChainRepository;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Optional;

/** Checks an org's whole chain against its stored hashes. */
@ApplicationScoped
public class ChainVerification {

    static final int CHUNK = 5000;

    private final Pool pool;
    private final ChainRepository chains;

    public ChainVerification(Pool pool, ChainRepository chains) {
        this.pool = pool;
        this.chains = chains;
    }

    /**
     * Verifies {@code org}'s chain. One repeatable-read transaction gives one snapshot, so events
     * stored or purged meanwhile cannot look like a gap.
     */
    public Uni<VerifyReport> verify(String org) {
        return pool.withTransaction(conn -> conn.query("set transaction isolation level repeatable read read only")
                .execute()
                .chain(() -> chains.anchor(conn, org))
                .chain(anchor -> chains.head(conn, org).chain(head -> {
                    ChainVerifier verifier = new ChainVerifier(org, anchor.lastSeq(), anchor.lastHash());
                    return walk(conn, org, verifier, anchor.lastSeq()).map(broken -> {
                        ChainHead end = head.orElse(anchor);
                        Optional<ChainVerifier.Break> result = broken.isPresent()
                                ? broken : verifier.finish(end.lastSeq(), end.lastHash());
                        return new VerifyReport(org, verifier.checked(), result.isEmpty(), result.orElse(null),
                                anchor.lastSeq(), end.lastSeq());
                    });
                })));
    }

    private Uni<Optional<ChainVerifier.Break>> walk(SqlConnection conn, String org, ChainVerifier verifier, long afterSeq) {
        return chains.rows(conn, org, afterSeq, CHUNK).chain(rows -> {
            for (ChainVerifier.Row row : rows) {
                Optional<ChainVerifier.Break> broken = verifier.accept(row);
                if (broken.isPresent()) {
                    return Uni.createFrom().item(broken);
                }
            }
            if (rows.size() < CHUNK) {
                return Uni.createFrom().item(Optional.<ChainVerifier.Break>empty());
            }
            return walk(conn, org, verifier, lastSeq(rows));
        });
    }

    private static long lastSeq(List<ChainVerifier.Row> rows) {
        return rows.get(rows.size() - 1).seq();
    }
}
