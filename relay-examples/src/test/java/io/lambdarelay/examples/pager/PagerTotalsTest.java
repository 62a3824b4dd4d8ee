package io.lambdarelay.examples.pager;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PagerTotalsTest {

    @Test
    void toRowsAndBack_keepsEveryCategory() {
        PagerTotals t = new PagerTotals();
        t.add(3, 100, 1);
        t.add(3, 50, 7);
        t.add(0, 9, 2);
        long[][] rows = t.toRows();
        assertArrayEquals(new long[] {0, 1, 9, 2}, rows[0]);
        assertArrayEquals(new long[] {3, 2, 150, 8}, rows[1]);
        assertEquals(t, PagerTotals.fromRows(rows));
        assertEquals(3, t.rows());
    }

    @Test
    void aRowReadTwiceOrMissed_changesTheTotals() {
        PagerTotals once = new PagerTotals();
        PagerTotals twice = new PagerTotals();
        for (long id = 1; id <= 10; id++) {
            once.add((int) (id % 2), id * 3, id);
            twice.add((int) (id % 2), id * 3, id);
        }
        twice.add(1, 9, 3);
        assertNotEquals(once, twice);
        assertTrue(once.differences(twice).contains("category 1: rows 5 vs 6"), once.differences(twice));
    }

    @Test
    void fromRows_refusesRowsOfTheWrongShape() {
        assertThrows(IllegalArgumentException.class, () -> PagerTotals.fromRows(new long[][] {{1, 2, 3}}));
        assertEquals(0, PagerTotals.fromRows(null).categories());
    }
}
