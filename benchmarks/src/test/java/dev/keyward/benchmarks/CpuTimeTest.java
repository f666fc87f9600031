package dev.keyward.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class CpuTimeTest {

    @Test
    void thisProcessesCpuTimeGrowsWithWork() {
        CpuTime cpu = new CpuTime().track("self", () -> ProcessHandle.current().pid()).track("gone", () -> -1);
        Map<String, Double> before = cpu.snapshot();
        long end = System.nanoTime() + 300_000_000L;
        long spin = 0;
        while (System.nanoTime() < end) {
            spin++;
        }
        Map<String, Double> after = cpu.snapshot();
        assertThat(spin).isPositive();
        assertThat(after).containsOnlyKeys("self");
        assertThat(after.get("self")).isGreaterThan(before.get("self"));
    }

    @Test
    void perOperationDividesTheDifference() {
        assertThat(CpuTime.perOperation(Map.of("token-service", 1.0), Map.of("token-service", 3.5), 1000))
                .isEqualTo("token-service 2.50 ms");
        assertThat(CpuTime.perOperation(Map.of(), Map.of("PostgreSQL", 1.0), 10)).isEmpty();
    }
}
