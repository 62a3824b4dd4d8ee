package io.lambdarelay.cli;

import java.util.List;

/** Renders rows as left-aligned columns, two spaces apart. */
final class Table {
    private Table() {
    }

    /** The rows, the first being the header, followed by a line of dashes. */
    static String render(List<List<String>> rows) {
        return render(rows, true);
    }

    /** The rows as columns; with {@code header}, the first row is underlined with dashes. */
    static String render(List<List<String>> rows, boolean header) {
        int columns = rows.stream().mapToInt(List::size).max().orElse(0);
        int[] width = new int[columns];
        for (List<String> row : rows) {
            for (int c = 0; c < row.size(); c++) {
                width[c] = Math.max(width[c], row.get(c).length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (int r = 0; r < rows.size(); r++) {
            line(sb, rows.get(r), width);
            if (r == 0 && header) {
                StringBuilder dashes = new StringBuilder();
                for (int c = 0; c < columns; c++) {
                    dashes.append("-".repeat(width[c])).append(c < columns - 1 ? "  " : "");
                }
                sb.append(dashes.toString().stripTrailing()).append('\n');
            }
        }
        return sb.toString();
    }

    private static void line(StringBuilder sb, List<String> row, int[] width) {
        StringBuilder line = new StringBuilder();
        for (int c = 0; c < row.size(); c++) {
            line.append(row.get(c));
            if (c < row.size() - 1) {
                line.append(" ".repeat(width[c] - row.get(c).length() + 2));
            }
        }
        sb.append(line.toString().stripTrailing()).append('\n');
    }
}
