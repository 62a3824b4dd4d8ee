package io.lambdarelay.benchmarks;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/** The rows of one run, printed as a Markdown table so it can be pasted into docs/benchmarks.md. */
public final class ResultTable {
    private final List<String[]> rows = new ArrayList<>();

    /**
     * Adds a row.
     *
     * @param part the part number and name, such as "1 hand-off"
     * @param figure what was measured
     * @param measured the measured value with its unit
     * @param target the target, or "-" for none
     * @param verdict whether the target was met
     */
    public void add(String part, String figure, String measured, String target, Verdict verdict) {
        rows.add(new String[] {part, figure, measured, target, verdict.label()});
    }

    /**
     * Returns how many rows have a given verdict.
     *
     * @param verdict the verdict
     * @return the count
     */
    public long count(Verdict verdict) {
        return rows.stream().filter(r -> r[4].equals(verdict.label())).count();
    }

    /**
     * Prints the table with aligned columns.
     *
     * @param out where to print
     */
    public void print(PrintStream out) {
        String[] header = {"part", "figure", "measured", "target", "result"};
        int[] width = new int[header.length];
        for (int i = 0; i < header.length; i++) {
            width[i] = header[i].length();
        }
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        out.println(line(header, width));
        StringBuilder rule = new StringBuilder("|");
        for (int w : width) {
            rule.append('-').append("-".repeat(w)).append("-|");
        }
        out.println(rule);
        for (String[] r : rows) {
            out.println(line(r, width));
        }
    }

    private static String line(String[] cells, int[] width) {
        StringBuilder b = new StringBuilder("|");
        for (int i = 0; i < cells.length; i++) {
            b.append(' ').append(cells[i]).append(" ".repeat(width[i] - cells[i].length())).append(" |");
        }
        return b.toString();
    }
}
