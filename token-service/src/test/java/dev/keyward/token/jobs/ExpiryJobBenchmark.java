package dev.keyward.token.jobs;

import dev.keyward.localstack.EmbeddedPostgresServer;
import dev.keyward.token.notify.MailNotifier;
import dev.keyward.token.notify.NotificationDispatcher;
import dev.keyward.token.notify.WebhookNotifier;
import dev.keyward.token.notify.WebhookTargets;
import dev.keyward.token.outbox.OutboxRelay;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import org.flywaydb.core.Flyway;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * How one scheduled-job run scales with the table: inserts {@code tokens} rows with SQL
 * ({@code generate_series}) into a real PostgreSQL migrated by the service's Flyway scripts, ~1%
 * past expiry and ~1% inside the deprecation window, then times one expiry run, one deprecation
 * run (event rows only, no org has a contact or webhook) and a second run of each with nothing due.
 * Not part of the test suite; run {@code token-service/bench/jobs.sh [tokens=1000000] [due%=1]}.
 */
public final class ExpiryJobBenchmark {

    private ExpiryJobBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int tokens = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        double duePercent = args.length > 1 ? Double.parseDouble(args[1]) : 1.0;
        int dueEvery = (int) Math.round(100 / duePercent);
        try (EmbeddedPostgresServer postgres = EmbeddedPostgresServer.startTemporary()) {
            postgres.createDatabase("keyward_token");
            PGSimpleDataSource ds = new PGSimpleDataSource();
            ds.setUrl(postgres.jdbcUrl("keyward_token"));
            ds.setUser(EmbeddedPostgresServer.USER);
            ds.setCurrentSchema("token_service");
            Flyway.configure().dataSource(ds).schemas("token_service").defaultSchema("token_service")
                    .locations("classpath:db/migration").load().migrate();

            long t0 = System.nanoTime();
            try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
                s.execute("insert into orgs (id, name) select 'org-' || g, 'org-' || g from generate_series(1, 100) g");
                // Rows i % dueEvery = 0 expired an hour ago; = 1 expire in 7 days; the rest in 60 days.
                s.execute("""
                        insert into tokens (id, org_id, key_hash, key_prefix, name, kind, environment, scopes,
                                            created_at, expires_at, created_by_type, created_by_user_id)
                        select 'tok_bench' || g, 'org-' || (g %% 100 + 1), 'hash' || g, 'kw_prod_r_' || lpad((g %% 100)::text, 2, '0'),
                               'bench ' || g, 'repo', 'prod', '{"repos:app":["git:read"]}', now() - interval '30 days',
                               case when g %% %d = 0 then now() - interval '1 hour'
                                    when g %% %d = 1 then now() + interval '7 days'
                                    else now() + interval '60 days' end,
                               'token', 'bench'
                        from generate_series(1, %d) g""".formatted(dueEvery, dueEvery, tokens));
                s.execute("vacuum analyze tokens");
            }
            double loadSeconds = (System.nanoTime() - t0) / 1e9;

            OutboxRelay relay = new OutboxRelay(null, "127.0.0.1:9", Duration.ofSeconds(1), 1, false);
            ExpiryJob expiry = new ExpiryJob(ds, Clock.systemUTC(), relay, 500, Duration.ofDays(90));
            NotificationDispatcher dispatcher = new NotificationDispatcher(ds, Clock.systemUTC(), new MailNotifier(null),
                    new WebhookNotifier(Duration.ofSeconds(1), new WebhookTargets(false, Optional.empty())),
                    Duration.ofSeconds(30), Duration.ofHours(1), 10, 50);
            DeprecationJob deprecation = new DeprecationJob(ds, Clock.systemUTC(), relay, dispatcher, 500);

            JobSummary expiryRun = expiry.run();
            JobSummary expiryAgain = expiry.run();
            JobSummary deprecationRun = deprecation.run();
            JobSummary deprecationAgain = deprecation.run();

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
    }

    private static void print(JobSummary s) {
        System.out.printf(Locale.ROOT, "%-12s ran=%s %s in %,d ms%n", s.job(), s.ran(), s.counts(), s.durationMs());
    }
}
