package dev.keyward.audit.repository;

import dev.keyward.audit.service.AuthHealthEvaluator;
import dev.keyward.events.EventType;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * Counts failed authentications from the stored {@code auth:failed} events, each by the uses it
 * stands for ({@code use_count}: a verifier folds identical failures of one window into one event).
 * The partial auth_failed index limits each query to the failures of the long window, so its cost
 * follows the failures, not the table.
 */
@ApplicationScoped
public class AuthFailureRepository {

    private final Pool pool;

    public AuthFailureRepository(Pool pool) {
        this.pool = pool;
    }

    /** Failures per token prefix since {@code longStart}, and of those since {@code shortStart}; most first. */
    public Uni<List<AuthHealthEvaluator.Count>> byTokenPrefix(String org, Instant shortStart, Instant longStart, int top) {
        return counts("key_prefix", org, shortStart, longStart, top);
    }

    /** Failures per client IP, as {@link #byTokenPrefix}. */
    public Uni<List<AuthHealthEvaluator.Count>> byClientIp(String org, Instant shortStart, Instant longStart, int top) {
        return counts("client_ip", org, shortStart, longStart, top);
    }

    /** The orgs with a failure since {@code since} (the only ones whose health is not ok). */
    public Uni<List<String>> orgsFailingSince(Instant since) {
        String sql = "select distinct org from audit_event where type = '" + EventType.AUTH_FAILED.wireName()
                + "' and time >= $1";
        return pool.preparedQuery(sql).execute(Tuple.of(since.atOffset(ZoneOffset.UTC))).map(rows -> {
            List<String> orgs = new ArrayList<>();
            rows.forEach(r -> orgs.add(r.getString("org")));
            return orgs;
        });
    }

    // column is one of two constants above, never caller input; the type is a literal so that the
    // planner can match the partial auth_failed index.
    private Uni<List<AuthHealthEvaluator.Count>> counts(String column, String org, Instant shortStart, Instant longStart,
                                                        int top) {
        String sql = "select " + column + " as source, "
                + "coalesce(sum(use_count) filter (where time >= $3), 0)::bigint as short_count, "
                + "sum(use_count)::bigint as long_count from audit_event "
                + "where org = $1 and type = '" + EventType.AUTH_FAILED.wireName() + "' and time >= $2 and "
                + column + " is not null "
                + "group by " + column + " order by short_count desc, long_count desc, source limit $4";
        return pool.preparedQuery(sql)
                .execute(Tuple.of(org, longStart.atOffset(ZoneOffset.UTC), shortStart.atOffset(ZoneOffset.UTC), top))
                .map(rows -> {
                    List<AuthHealthEvaluator.Count> out = new ArrayList<>();
                    for (Row r : rows) {
                        out.add(new AuthHealthEvaluator.Count(r.getString("source"), r.getLong("short_count"),
                                r.getLong("long_count")));
                    }
                    return out;
                });
    }
}
