package dev.keyward.repo.content;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ByteRangeTest {

    @Test
    void singleRangesAreServedClampedToTheEnd() {
        assertThat(ByteRange.of("bytes=0-9", 100)).isEqualTo(new ByteRange(0, 9, true, true));
        assertThat(ByteRange.of("bytes=90-", 100)).isEqualTo(new ByteRange(90, 99, true, true));
        assertThat(ByteRange.of("bytes=90-500", 100)).isEqualTo(new ByteRange(90, 99, true, true));
        assertThat(ByteRange.of("bytes=-10", 100)).isEqualTo(new ByteRange(90, 99, true, true));
        assertThat(ByteRange.of("bytes=-500", 100)).isEqualTo(new ByteRange(0, 99, true, true));
        assertThat(ByteRange.of("bytes=5-5", 100).length()).isEqualTo(1);
    }

    @Test
    void rangesStartingAtOrPastTheEndAreUnsatisfiable() {
        assertThat(ByteRange.of("bytes=100-", 100).satisfiable()).isFalse();
        assertThat(ByteRange.of("bytes=100-200", 100).satisfiable()).isFalse();
        assertThat(ByteRange.of("bytes=-0", 100).satisfiable()).isFalse();
        assertThat(ByteRange.of("bytes=0-", 0).satisfiable()).isFalse();
    }

    @Test
    void whatIsNotOneByteRangeMeansTheWholeFile() {
        ByteRange whole = new ByteRange(0, 99, false, true);
        for (String header : new String[] {null, "", "items=0-5", "bytes=0-1,4-5", "bytes=9-3", "bytes=abc", "bytes=1",
                "bytes=99999999999999999999-"}) {
            assertThat(ByteRange.of(header, 100)).as(String.valueOf(header)).isEqualTo(whole);
        }
    }
}
