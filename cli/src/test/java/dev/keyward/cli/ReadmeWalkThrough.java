package dev.keyward.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The root README's walk-through as the test runs it: the {@code ```bash} blocks between
 * {@code <!-- walkthrough:start -->} and {@code <!-- walkthrough:end -->}, in order, as one bash
 * script. A marker line after each block tells which blocks ran to the end and what each printed.
 */
final class ReadmeWalkThrough {

    static final String START = "<!-- walkthrough:start -->";
    static final String END = "<!-- walkthrough:end -->";
    private static final Pattern BLOCK = Pattern.compile("(?ms)^```bash\\n(.*?)^```\\s*$");
    private static final String MARKER = "@@ walk-through block %d done @@";

    private final List<String> blocks;

    private ReadmeWalkThrough(List<String> blocks) {
        this.blocks = List.copyOf(blocks);
    }

    static ReadmeWalkThrough of(Path readme) throws IOException {
        String text = Files.readString(readme);
        int start = text.indexOf(START);
        int end = text.indexOf(END);
        if (start < 0 || end < start) {
            throw new IllegalStateException(readme + " has no " + START + " … " + END + " section");
        }
        List<String> blocks = new ArrayList<>();
        Matcher m = BLOCK.matcher(text.substring(start, end));
        while (m.find()) {
            blocks.add(m.group(1));
        }
        return new ReadmeWalkThrough(blocks);
    }

    List<String> blocks() {
        return blocks;
    }

    /** The blocks numbered {@code which} (from 0), in that order, each followed by its marker. */
    String script(List<Integer> which) {
        StringBuilder script = new StringBuilder();
        for (int i : which) {
            script.append(blocks.get(i)).append('\n')
                    .append("echo '").append(MARKER.formatted(i)).append("'\n");
        }
        return script.toString();
    }

    String script() {
        List<Integer> all = new ArrayList<>();
        for (int i = 0; i < blocks.size(); i++) {
            all.add(i);
        }
        return script(all);
    }

    /** What block {@code i} printed (stdout and stderr), or null when it did not run to its end. */
    static String outputOf(String output, int i) {
        String marker = MARKER.formatted(i);
        int end = output.indexOf(marker);
        if (end < 0) {
            return null;
        }
        int start = output.lastIndexOf(" done @@", end); // the end of the block before, if any
        return output.substring(start < 0 ? 0 : start + " done @@".length(), end).strip();
    }
}
