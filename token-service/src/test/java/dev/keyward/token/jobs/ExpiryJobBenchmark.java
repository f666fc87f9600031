package dev.keyward.token.jobs;

import dev.keyward.testsupport.KafkaTestResource;
import dev.keyward.testsupport.PostgresTestResource;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * How one scheduled-job run scales with the table: inserts {@code tokens} rows with SQL
 * ({@code generate_series}) into a real PostgreSQL migrated by the service's Flyway scripts, ~1%
 * past expiry and ~1% inside the deprecation window, then times one expiry run, one deprecation
 * run (event rows only, no org has a contact or webhook) and a second run of each with nothing due.
 * Not part of the test suite: it runs only with {@code -Dbench.tokens=N}; run
 * {@code token-service/bench/jobs.sh [tokens=1000000] [due%=1]}. The jobs run in the service, as
 * scheduled, through {@link Jobs}.
 */
@QuarkusTest
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "keyward_token"))
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(MailServerResource.class)
@EnabledIfSystemProperty(named = "bench.tokens", matches = "\\d+")
class ExpiryJobBenchmark {

    @Inject
    AgroalDataSource ds;

    @Inject
    Jobs jobs;

    @Test
    void timeOneRunOfEachJob() throws Exception {
        int tokens = Integer.parseInt(System.getProperty("bench.tokens", "1000000"));
        double duePercent = Double.parseDouble(System.getProperty("bench.due", "1"));
        int dueEvery = (int) Math.round(100 / duePercent);
        long t0 = System.nanoTime();
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute("insert into orgs (id, name) select 'bench-org-' || g, 'bench-org-' || g from generate_series(1, 100) g on conflict do nothing");
            // Rows i % dueEvery = 0 expired an hour ago; = 1 expire in 7 days; the rest in 60 days.
            s.execute("""
                    insert into tokens (id, org_id, key_hash, key_prefix, name, kind, environment, scopes,
                                        created_at, expires_at, created_by_type, created_by_user_id)
                    select 'tok_bench' || g, 'bench-org-' || (g %% 100 + 1), 'hash' || g, 'kw_prod_r_' || lpad((g %% 100)::text, 2, '0'),
                           'bench ' || g, 'repo', 'prod', '{"repos:app":["git:read"]}', now() - interval '30 days',
                           case when g %% %d = 0 then now() - interval '1 hour'
                                when g %% %d = 1 then now() + interval '7 days'
                                else now() + interval '60 days' end,
                           'token', 'bench'
                    from generate_series(1, %d) g""".formatted(dueEvery, dueEvery, tokens));
            s.execute("vacuum analyze tokens");
        }
        double loadSeconds = (System.nanoTime() - t0) / 1e9;

        JobSummary expiryRun = jobs.run(ExpiryJob.NAME).orElseThrow();
        JobSummary expiryAgain = jobs.run(ExpiryJob.NAME).orElseThrow();
        JobSummary deprecationRun = jobs.run(DeprecationJob.NAME).orElseThrow();
        JobSummary deprecationAgain = jobs.run(DeprecationJob.NAME).orElseThrow();

        System.out.printf(Locale.ROOT, "tokens: %,d (loaded in %.1f s), due every %d rows%n", tokens, loadSeconds, dueEvery);
        print(expiryRun);
        print(expiryAgain);
        print(deprecationRun);
        print(deprecationAgain);
        try (Connection c = ds.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select count(*) from event_outbox")) {
            rs.next();
            System.out.printf(Locale.ROOT, "outbox rows written: %,d%n", rs.getLong(1));
        }
    }

    private static void print(JobSummary s) {
        System.out.printf(Locale.ROOT, "%-12s ran=%s %s in %,d ms%n", s.job(), s.ran(), s.counts(), s.durationMs());
    }
}
