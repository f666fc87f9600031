package dev.keyward.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Collection;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/** The harness still runs: one short in-process iteration of the cheapest benchmarks (the setup checks every path). */
class VerificationBenchmarkSmokeTest {

    @Test
    void runsOneShortIteration() throws Exception {
        Options options = new OptionsBuilder()
                .include(VerificationBenchmark.class.getName() + ".(checksumRejection|apiKeyCacheHit)$")
                .forks(0).warmupIterations(0).measurementIterations(1)
                .measurementTime(TimeValue.milliseconds(100))
                .shouldFailOnError(true)
                .build();
        Collection<RunResult> results = new Runner(options).run();
        assertThat(results).hasSize(2);
        assertThat(results).allSatisfy(r -> assertThat(r.getPrimaryResult().getScore()).isPositive());
    }
}
