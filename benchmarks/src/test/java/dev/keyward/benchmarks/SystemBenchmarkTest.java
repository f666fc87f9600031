package dev.keyward.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The benchmark's arithmetic: a reported figure is the median round, with the spread of all rounds. */
class SystemBenchmarkTest {

    private static SystemBenchmark.Wrk run(double rps) {
        return new SystemBenchmark.Wrk(rps, 1.5, 9.0, (long) rps * 10, 0);
    }

    @Test
    void theMedianRoundIsReportedWithTheSpreadOfAllRounds() {
        List<SystemBenchmark.Wrk> runs = List.of(run(900), run(1200), run(700));
        assertThat(SystemBenchmark.median(runs).rps()).isEqualTo(900);
        assertThat(SystemBenchmark.rounds(runs)).startsWith("900/s, 1.50 ms, 9.00 ms").endsWith("3 rounds 700–1,200/s");
        // An even count takes the lower middle round: the figure never flatters.
        assertThat(SystemBenchmark.median(List.of(run(5), run(9), run(7), run(8))).rps()).isEqualTo(7);
    }

    @Test
    void loadsReportTheirMedianRate() {
        SystemBenchmark.Load slow = new SystemBenchmark.Load(List.of(1_000_000L, 2_000_000L), 0, 2.0);
        SystemBenchmark.Load fast = new SystemBenchmark.Load(List.of(1_000_000L, 1_000_000L, 1_000_000L, 1_000_000L), 0, 1.0);
        SystemBenchmark.Load middle = new SystemBenchmark.Load(List.of(1_000_000L, 1_000_000L), 0, 1.0);
        assertThat(SystemBenchmark.loads(List.of(fast, slow, middle), "created"))
                .startsWith("2/s, 1.0 ms, 1.0 ms (2 created, 0 failed, 1.0 s)").endsWith("3 rounds 1–4/s");
    }

    @Test
    void wrkOutputIsRead() {
        String out = """
                Running 10s test @ http://127.0.0.1:8082/v1/repos/team/hello
                  1 threads and 16 connections
                  Latency Distribution
                     50%  811.00us
                     99%    4.12ms
                  98765 requests in 10.00s, 20.00MB read
                  Non-2xx or 3xx responses: 3
                Requests/sec:   9876.50
                """;
        SystemBenchmark.Wrk wrk = SystemBenchmark.parseWrk(out);
        assertThat(wrk.rps()).isEqualTo(9876.50);
        assertThat(wrk.p50Millis()).isEqualTo(0.811);
        assertThat(wrk.p99Millis()).isEqualTo(4.12);
        assertThat(wrk.requests()).isEqualTo(98765);
        assertThat(wrk.errors()).isEqualTo(3);
    }
}
