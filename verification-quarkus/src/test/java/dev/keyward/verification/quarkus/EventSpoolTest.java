package dev.keyward.verification.quarkus;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyward.events.EventType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EventSpoolTest {

    @TempDir
    Path tmp;

    private static EncodedEvent event(int i) {
        String json = "{\"id\":\"" + i + "\",\"pad\":\"" + "x".repeat(900) + "\"}";
        return new EncodedEvent("org-" + (i % 3), i % 2 == 0 ? EventType.TOKEN_USED : EventType.AUTH_FAILED,
                json.getBytes(StandardCharsets.UTF_8));
    }

    private static List<String> drain(EventSpool spool) throws IOException {
        List<String> read = new ArrayList<>();
        for (Optional<EventSpool.Segment> s = spool.oldest(); s.isPresent(); s = spool.oldest()) {
            for (EncodedEvent e : spool.read(s.get())) {
                read.add(e.key() + " " + e.type().wireName() + " " + new String(e.json(), StandardCharsets.UTF_8));
            }
            spool.delete(s.get());
        }
        return read;
    }

    @Test
    void givesBackEveryEventInOrderAcrossSegmentsAndForgetsWhatWasDeleted() throws IOException {
        int n = (int) (3 * EventSpool.SEGMENT_BYTES / 1000); // three segments' worth
        List<String> expected = new ArrayList<>();
        try (EventSpool spool = EventSpool.open(tmp.resolve("spool"), Long.MAX_VALUE)) {
            for (int i = 0; i < n; i++) {
                EncodedEvent e = event(i);
                assertThat(spool.append(e)).isTrue();
                expected.add(e.key() + " " + e.type().wireName() + " " + new String(e.json(), StandardCharsets.UTF_8));
            }
            assertThat(spool.events()).isEqualTo(n);
            try (var files = Files.list(spool.directory())) {
                assertThat(files.filter(f -> f.toString().endsWith(".spool")).count()).isGreaterThanOrEqualTo(3);
            }
            assertThat(drain(spool)).isEqualTo(expected);
            assertThat(spool.isEmpty()).isTrue();
            try (var files = Files.list(spool.directory())) {
                assertThat(files.filter(f -> f.toString().endsWith(".spool")).count()).isZero();
            }
        }
    }

    @Test
    void aLaterProcessFindsWhatAnEarlierOneLeftAndARecordCutShortEndsItsSegment() throws IOException {
        Path dir = tmp.resolve("spool");
        try (EventSpool spool = EventSpool.open(dir, Long.MAX_VALUE)) {
            for (int i = 0; i < 5; i++) {
                spool.append(event(i));
            }
        }
        // A crash in the middle of a record: its first bytes are there, the rest is not.
        Path segment;
        try (var files = Files.list(dir)) {
            segment = files.filter(f -> f.toString().endsWith(".spool")).findFirst().orElseThrow();
        }
        Files.write(segment, new byte[] {0, 0, 0, 9, 't', 'o'}, StandardOpenOption.APPEND);

        try (EventSpool again = EventSpool.open(dir, Long.MAX_VALUE)) {
            assertThat(again.events()).isEqualTo(5);
            again.append(event(5)); // goes to a new segment, after the old ones
            List<String> read = drain(again);
            assertThat(read).hasSize(6);
            for (int i = 0; i < 6; i++) {
                assertThat(read.get(i)).contains("\"id\":\"" + i + "\"");
            }
        }
    }

    @Test
    void refusesBeyondItsSizeAndTwoOwnersNeverShareADirectory() throws IOException {
        Path base = tmp.resolve("spool");
        try (EventSpool small = EventSpool.open(base, 2_500)) {
            assertThat(small.append(event(0))).isTrue();
            assertThat(small.append(event(1))).isTrue();
            assertThat(small.append(event(2))).as("beyond 2,500 bytes").isFalse();
            assertThat(small.events()).isEqualTo(2);
            try (EventSpool second = EventSpool.open(base, 2_500)) {
                assertThat(second.directory()).isNotEqualTo(small.directory());
                assertThat(second.isEmpty()).isTrue();
            }
        }
    }
}
