package dev.keyward.cli.output;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * A plain-text table for people: a header row, columns padded to their widest cell, two spaces apart,
 * no line wider than the terminal's width. When the cells do not fit, the widest columns are narrowed
 * and their cells wrapped (after a comma or a space where there is one), so nothing is cut off: a
 * scope list stays whole.
 */
public final class Table {

    /** The width when the environment does not say ({@code COLUMNS}). */
    public static final int DEFAULT_WIDTH = 100;
    private static final int GAP = 2;
    /** A column is never narrowed below this (or its header, or its widest cell when that is narrower). */
    private static final int MIN_COLUMN = 8;

    private final List<String> headers;
    private final List<List<String>> rows = new ArrayList<>();

    public Table(String... headers) {
        this.headers = List.of(headers);
    }

    public Table row(String... cells) {
        if (cells.length != headers.size()) {
            throw new IllegalArgumentException("expected " + headers.size() + " cells, got " + cells.length);
        }
        List<String> row = new ArrayList<>();
        for (String c : cells) {
            row.add(c == null || c.isEmpty() ? "-" : c.replace('\n', ' '));
        }
        rows.add(row);
        return this;
    }

    public int size() {
        return rows.size();
    }

    /** Prints the table within {@code width} columns (as far as the columns' minimum widths allow). */
    public void print(PrintWriter out, int width) {
        int[] widths = fit(width);
        line(out, headers, widths);
        for (List<String> row : rows) {
            line(out, row, widths);
        }
        out.flush();
    }

    /**
     * Each column's width: its widest cell; then, while the line is too wide, the widest column that can
     * give is narrowed by one. First only down to its longest word (cells wrap between words, after a
     * comma or a space), so ids and times stay whole; then, if that is not enough, down to
     * {@value #MIN_COLUMN} or its header, breaking words.
     */
    private int[] fit(int width) {
        int n = headers.size();
        int[] widths = new int[n];
        int[] words = new int[n];
        int[] floors = new int[n];
        for (int i = 0; i < n; i++) {
            widths[i] = headers.get(i).length();
            words[i] = headers.get(i).length();
            for (List<String> row : rows) {
                widths[i] = Math.max(widths[i], row.get(i).length());
                for (String word : row.get(i).split("(?<=[, ])")) {
                    words[i] = Math.max(words[i], word.strip().length());
                }
            }
            floors[i] = Math.min(widths[i], Math.max(MIN_COLUMN, headers.get(i).length()));
        }
        int over = GAP * (n - 1) - width;
        for (int w : widths) {
            over += w;
        }
        over = narrow(widths, words, over);
        narrow(widths, floors, over);
        return widths;
    }

    /** Narrows the widest column above its floor by one until {@code over} is used up; what is left over. */
    private static int narrow(int[] widths, int[] floors, int over) {
        while (over > 0) {
            int widest = -1;
            for (int i = 0; i < widths.length; i++) {
                if (widths[i] > floors[i] && (widest < 0 || widths[i] > widths[widest])) {
                    widest = i;
                }
            }
            if (widest < 0) {
                return over;
            }
            widths[widest]--;
            over--;
        }
        return over;
    }

    private static void line(PrintWriter out, List<String> cells, int[] widths) {
        List<List<String>> wrapped = new ArrayList<>();
        int height = 1;
        for (int i = 0; i < cells.size(); i++) {
            List<String> pieces = wrap(cells.get(i), widths[i]);
            wrapped.add(pieces);
            height = Math.max(height, pieces.size());
        }
        for (int l = 0; l < height; l++) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < cells.size(); i++) {
                String piece = l < wrapped.get(i).size() ? wrapped.get(i).get(l) : "";
                b.append(piece);
                if (i < cells.size() - 1) {
                    b.append(" ".repeat(widths[i] - piece.length() + GAP));
                }
            }
            out.println(b.toString().stripTrailing());
        }
    }

    /**
     * {@code cell} in lines of at most {@code width}: broken after the last comma or space that fits; in a
     * word longer than the width (a URL), after the last {@code / : . = -} past its first third; else hard.
     */
    static List<String> wrap(String cell, int width) {
        List<String> lines = new ArrayList<>();
        String rest = cell;
        while (rest.length() > width) {
            int cut = lastBreak(rest, width, ", ", 1);
            if (cut < 0) {
                cut = lastBreak(rest, width, "/:.=-", Math.max(1, width / 3));
            }
            if (cut < 0) {
                cut = width;
            }
            lines.add(rest.substring(0, cut).stripTrailing());
            rest = rest.substring(cut).stripLeading();
        }
        lines.add(rest);
        return lines;
    }

    /** The position just after the last of {@code chars} in {@code text}'s first {@code width} characters, not before {@code from}; -1 if none. */
    private static int lastBreak(String text, int width, String chars, int from) {
        for (int p = width; p >= from; p--) {
            if (chars.indexOf(text.charAt(p - 1)) >= 0) {
                return p;
            }
        }
        return -1;
    }
}
