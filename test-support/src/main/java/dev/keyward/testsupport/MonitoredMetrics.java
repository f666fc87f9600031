package dev.keyward.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The metrics the monitoring component's alerts and dashboard name
 * ({@code deploy/kubernetes/components/monitoring/metrics.txt}, one {@code <service|all> <metric>} a
 * line), and the names a {@code /q/metrics} answer holds. A service's test asserts that it serves
 * every metric listed for it; the deploy module asserts that the expressions name exactly the list.
 */
public final class MonitoredMetrics {

    /** The list, relative to the project's root. */
    public static final String LIST = "deploy/kubernetes/components/monitoring/metrics.txt";
    /** A metric's name at the start of a sample line of the Prometheus text format. */
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]", Pattern.MULTILINE);

    private MonitoredMetrics() {
    }

    /** Every listed metric and the service that exports it ({@code all}: every service). */
    public static Map<String, String> listed() {
        Map<String, String> byName = new TreeMap<>();
        try {
            for (String line : Files.readAllLines(list())) {
                String entry = line.strip();
                if (entry.isEmpty() || entry.startsWith("#")) {
                    continue;
                }
                String[] parts = entry.split("\\s+");
                if (parts.length != 2 || byName.put(parts[1], parts[0]) != null) {
                    throw new IllegalStateException(LIST + ": not '<service> <metric>' or listed twice: " + line);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return byName;
    }

    /** The metrics {@code service} must serve. */
    public static Set<String> expectedFrom(String service) {
        Set<String> names = new TreeSet<>();
        listed().forEach((name, owner) -> {
            if (owner.equals(service) || owner.equals("all")) {
                names.add(name);
            }
        });
        return names;
    }

    /** The metric names of a Prometheus text exposition ({@code /q/metrics}). */
    public static Set<String> namesIn(String exposition) {
        Set<String> names = new TreeSet<>();
        Matcher m = SAMPLE.matcher(exposition);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    /**
     * The sum of the samples of {@code name} in a Prometheus text exposition whose labels include
     * {@code labels} ({@code "name", "value"} pairs); 0 when there is none.
     */
    public static double value(String exposition, String name, String... labels) {
        double sum = 0;
        for (String line : exposition.split("\n")) {
            if (!line.startsWith(name + "{") && !line.startsWith(name + " ")) {
                continue;
            }
            int end = line.lastIndexOf('}');
            String labelText = end < 0 ? "" : line.substring(name.length(), end + 1);
            boolean matches = true;
            for (int i = 0; i + 1 < labels.length; i += 2) {
                matches &= labelText.contains(labels[i] + "=\"" + labels[i + 1] + "\"");
            }
            if (matches) {
                sum += Double.parseDouble(line.substring(end < 0 ? name.length() : end + 1).strip().split(" ")[0]);
            }
        }
        return sum;
    }

    /** Found from the working directory up: a module's tests run in the module. */
    private static Path list() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve(LIST);
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException(LIST + " not found above " + Path.of("").toAbsolutePath());
    }
}
