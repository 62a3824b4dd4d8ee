package io.lambdarelay.examples.pager;

import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Running totals per category: rows, sum of amounts and sum of ids. The id sum is the checksum
 * that shows no row was read twice or missed: either changes a count and a sum. Small enough to
 * travel in the packet (about 60 bytes per category). Not thread-safe.
 */
public final class PagerTotals {
    private final TreeMap<Integer, long[]> byCategory = new TreeMap<>();

    /** Creates empty totals. */
    public PagerTotals() {
    }

    /**
     * Reads totals from their packet form, as {@link #toRows()} wrote them.
     *
     * @param rows {@code [category, rows, amountSum, idSum]} per category; {@code null} for none
     * @return the totals
     * @throws IllegalArgumentException if a row does not have four numbers
     */
    public static PagerTotals fromRows(long[][] rows) {
        PagerTotals t = new PagerTotals();
        if (rows != null) {
            for (long[] r : rows) {
                if (r == null || r.length != 4) {
                    throw new IllegalArgumentException("each totals row must be [category, rows, amountSum, idSum], got "
                            + Arrays.toString(r));
                }
                t.byCategory.put(Math.toIntExact(r[0]), new long[] {r[1], r[2], r[3]});
            }
        }
        return t;
    }

    /**
     * Adds one row.
     *
     * @param category the row's category
     * @param amount the row's amount
     * @param id the row's id
     */
    public void add(int category, long amount, long id) {
        long[] t = byCategory.computeIfAbsent(category, k -> new long[3]);
        t[0]++;
        t[1] = Math.addExact(t[1], amount);
        t[2] = Math.addExact(t[2], id);
    }

    /**
     * Sets the totals of one category, as a direct query returns them.
     *
     * @param category the category
     * @param rows the row count
     * @param amountSum the sum of amounts
     * @param idSum the sum of ids
     */
    public void set(int category, long rows, long amountSum, long idSum) {
        byCategory.put(category, new long[] {rows, amountSum, idSum});
    }

    /**
     * Returns the packet form: one {@code [category, rows, amountSum, idSum]} per category, by
     * category.
     *
     * @return the rows
     */
    public long[][] toRows() {
        long[][] out = new long[byCategory.size()][];
        int i = 0;
        for (Map.Entry<Integer, long[]> e : byCategory.entrySet()) {
            long[] t = e.getValue();
            out[i++] = new long[] {e.getKey(), t[0], t[1], t[2]};
        }
        return out;
    }

    /**
     * Returns the number of categories.
     *
     * @return the count
     */
    public int categories() {
        return byCategory.size();
    }

    /**
     * Returns the rows over all categories.
     *
     * @return the count
     */
    public long rows() {
        return byCategory.values().stream().mapToLong(t -> t[0]).sum();
    }

    /**
     * Lists the categories whose totals differ from another's, for a failed check's message.
     *
     * @param other the totals to compare with
     * @return a description of the first differences, empty if equal
     */
    public String differences(PagerTotals other) {
        StringBuilder sb = new StringBuilder();
        TreeMap<Integer, long[]> all = new TreeMap<>(byCategory);
        other.byCategory.forEach(all::putIfAbsent);
        int shown = 0;
        for (Integer c : all.keySet()) {
            long[] a = byCategory.getOrDefault(c, new long[3]);
            long[] b = other.byCategory.getOrDefault(c, new long[3]);
            if (!Arrays.equals(a, b) && shown++ < 5) {
                sb.append(sb.length() == 0 ? "" : "; ").append("category ").append(c).append(": rows ").append(a[0])
                        .append(" vs ").append(b[0]).append(", amount ").append(a[1]).append(" vs ").append(b[1])
                        .append(", id sum ").append(a[2]).append(" vs ").append(b[2]);
            }
        }
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof PagerTotals)) {
            return false;
        }
        PagerTotals t = (PagerTotals) o;
        if (!byCategory.keySet().equals(t.byCategory.keySet())) {
            return false;
        }
        for (Map.Entry<Integer, long[]> e : byCategory.entrySet()) {
            if (!Arrays.equals(e.getValue(), t.byCategory.get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int h = 1;
        for (Map.Entry<Integer, long[]> e : byCategory.entrySet()) {
            h = 31 * h + Objects.hash(e.getKey(), Arrays.hashCode(e.getValue()));
        }
        return h;
    }

    @Override
    public String toString() {
        return "PagerTotals{categories=" + byCategory.size() + ", rows=" + rows() + "}";
    }
}
