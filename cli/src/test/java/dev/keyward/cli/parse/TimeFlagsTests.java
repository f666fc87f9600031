package dev.keyward.cli.parse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class TimeFlagsTests {

    private final Clock clock = Clock.fixed(Instant.parse("2026-02-10T12:00:00Z"), ZoneOffset.UTC);

    @Test
    void acceptsInstantsWithAnyOffsetAndReturnsUtc() {
        assertThat(TimeFlags.toInstant("2026-01-31T12:00:00+02:00", clock)).isEqualTo("2026-01-31T10:00:00Z");
        assertThat(TimeFlags.toInstant("2026-01-31T12:00:00Z", clock)).isEqualTo("2026-01-31T12:00:00Z");
    }

    @Test
    void aDateIsMidnightUtc() {
        assertThat(TimeFlags.toInstant("2026-01-31", clock)).isEqualTo("2026-01-31T00:00:00Z");
    }

    @Test
    void aDurationMeansThatLongAgo() {
        assertThat(TimeFlags.toInstant("24h", clock)).isEqualTo("2026-02-09T12:00:00Z");
        assertThat(TimeFlags.toInstant("7d", clock)).isEqualTo("2026-02-03T12:00:00Z");
    }

    @Test
    void absentIsNull() {
        assertThat(TimeFlags.toInstant(null, clock)).isNull();
        assertThat(TimeFlags.toInstant(" ", clock)).isNull();
    }

    @Test
    void anythingElseIsRefused() {
        assertThatThrownBy(() -> TimeFlags.toInstant("yesterday", clock))
                .hasMessageContaining("'yesterday' is not a time");
    }
}
