package dev.keyward.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * CPU time spent by processes (and their children), read from {@code /proc/<pid>/stat}: per operation
 * it is steadier than a rate on a shared machine, since a busy neighbour lowers the rate but not the
 * work each operation costs.
 */
final class CpuTime {

    /** Clock ticks per second of {@code /proc} times (USER_HZ, 100 on Linux). */
    private static final double TICKS_PER_SECOND = 100;

    private final Map<String, LongSupplier> roots = new LinkedHashMap<>();

    /** Counts process {@code pid} (looked up at each snapshot) and its descendants as {@code name}. */
    CpuTime track(String name, LongSupplier pid) {
        roots.put(name, pid);
        return this;
    }

    /** CPU seconds per tracked name, now. */
    Map<String, Double> snapshot() {
        Map<String, Double> seconds = new LinkedHashMap<>();
        roots.forEach((name, pid) -> {
            long root = pid.getAsLong();
            if (root <= 0) {
                return;
            }
            seconds.put(name, treeTicks(root) / TICKS_PER_SECOND);
        });
        return seconds;
    }

    /** "token-service 1.20 ms, PostgreSQL 0.45 ms" of CPU per operation between two snapshots. */
    static String perOperation(Map<String, Double> before, Map<String, Double> after, long operations) {
        StringBuilder text = new StringBuilder();
        after.forEach((name, end) -> {
            Double start = before.get(name);
            if (start != null && operations > 0) {
                text.append(text.length() == 0 ? "" : ", ").append("%s %.2f ms".formatted(name, (end - start) * 1000 / operations));
            }
        });
        return text.toString();
    }

    /** utime + stime of {@code root} and its descendants now. */
    static long treeTicks(long root) {
        return ticks(root) + ProcessHandle.of(root).map(h -> h.descendants().mapToLong(d -> ticks(d.pid())).sum()).orElse(0L);
    }

    /** utime + stime of one process (a child's exited time is not counted); 0 when it is gone. */
    static long ticks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            // The command name (field 2) may hold spaces: the fields after it start past the last ')'.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}
