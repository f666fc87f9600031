package dev.keyward.cli.parse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTests {

    @ParameterizedTest
    @CsvSource({
            "45s, 45",
            "10m, 600",
            "1h, 3600",
            "30d, 2592000",
            "2w, 1209600",
            "1h30m, 5400",
            "1D, 86400",
            "3600, 3600",
            "0, 0",
            "PT2H, 7200"})
    void parsesWhatPeopleType(String text, long seconds) {
        assertThat(Durations.parse(text)).isEqualTo(Duration.ofSeconds(seconds));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "1y", "-1h", "h", "1.5h", "1h 30m", "99999999999999999999d"})
    void refusesAnythingElseWithExamples(String text) {
        assertThatThrownBy(() -> Durations.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("30d");
    }

    @Test
    void compactFormForDisplay() {
        assertThat(Durations.compact(Duration.ofDays(29).plusHours(3))).isEqualTo("29d");
        assertThat(Durations.compact(Duration.ofMinutes(-90))).isEqualTo("1h");
        assertThat(Durations.compact(Duration.ofSeconds(59))).isEqualTo("59s");
    }

    @ParameterizedTest
    @CsvSource({"0, 0", "45, 45s", "3600, 1h", "5400, 1h30m", "7776000, 90d", "90061, 1d1h1m1s"})
    void exactFormReadsBackToTheSameSeconds(long seconds, String text) {
        assertThat(Durations.exact(seconds)).isEqualTo(text);
        assertThat(Durations.parse(text)).isEqualTo(Duration.ofSeconds(seconds));
    }
}
