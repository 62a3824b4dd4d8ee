package io.lambdarelay.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class StatsTest {
    @Test
    void median_isAMeasuredValue_theLowerMiddleForAnEvenCount() {
        assertEquals(3, Stats.median(new double[] {5, 1, 3}));
        assertEquals(2, Stats.median(new double[] {4, 1, 3, 2}));
    }

    @Test
    void percentile_usesNearestRank() {
        double[] v = new double[100];
        for (int i = 0; i < v.length; i++) {
            v[i] = 100 - i; // 100 down to 1, unsorted on purpose
        }
        assertEquals(90, Stats.percentile(v, 90));
        assertEquals(1, Stats.percentile(v, 0));
        assertEquals(100, Stats.percentile(v, 100));
    }

    @Test
    void percentile_ofNothing_throws() {
        assertThrows(IllegalArgumentException.class, () -> Stats.median(new double[0]));
    }
}
