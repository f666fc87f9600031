package dev.keyward.token.outbox;

import static org.awaitility.Awaitility.await;

import dev.keyward.events.EventCodec;
import dev.keyward.events.EventData;
import dev.keyward.events.EventType;
import dev.keyward.events.KeywardEvent;
import dev.keyward.testsupport.KafkaTestResource;
import dev.keyward.testsupport.PostgresTestResource;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * How fast the relay empties a backlog: inserts {@code bench.outbox} unsent rows (100 orgs, a real
 * event's JSON) with SQL, wakes the relay and times until every row is stamped sent (the broker
 * acknowledged each). Not part of the test suite: it runs only with {@code -Dbench.outbox=N}, e.g.
 * {@code ./mvnw -pl token-service verify -Dtest=OutboxRelayBenchmark -Dbench.outbox=20000 -Dit.test=none}.
 */
@QuarkusTest
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "keyward_token"))
@QuarkusTestResource(KafkaTestResource.class)
@EnabledIfSystemProperty(named = "bench.outbox", matches = "\\d+")
class OutboxRelayBenchmark {

    @Inject
    AgroalDataSource ds;

    @Inject
    OutboxRelay relay;

    @Test
    void relayABacklog() throws Exception {
        int rows = Integer.parseInt(System.getProperty("bench.outbox"));
        await().atMost(Duration.ofSeconds(30)).until(() -> unsent() == 0); // the bootstrap's own events
        for (int round = 1; round <= 2; round++) { // the first round warms the JIT and the producer
            String payload = EventCodec.toJson(KeywardEvent.of("/keyward/token-service", EventType.TOKEN_CREATED,
                    Instant.now(), "tok_bench", EventData.forOrg("bench-org").actor("system").build()));
            try (Connection c = ds.getConnection(); PreparedStatement s = c.prepareStatement("""
                    insert into event_outbox (event_id, event_type, org_id, payload)
                    select 'bench-' || ? || '-' || g, 'token:created', 'bench-org-' || (g % 100), ?
                    from generate_series(1, ?) g""")) {
                s.setInt(1, round);
                s.setString(2, payload);
                s.setInt(3, rows);
                s.execute();
            }
            long t0 = System.nanoTime();
            relay.wakeUp();
            await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofMillis(20)).until(() -> unsent() == 0);
            double seconds = (System.nanoTime() - t0) / 1e9;
            System.out.printf(Locale.ROOT, "[bench] round %d: %,d outbox rows relayed in %.2f s = %,.0f rows/s%n",
                    round, rows, seconds, rows / seconds);
        }
    }

    private long unsent() throws Exception {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select count(*) from event_outbox where sent_at is null")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
