package io.lambdarelay.benchmarks;

import java.util.Arrays;

/** Order statistics over samples. */
public final class Stats {
    private Stats() {
    }

    /**
     * Returns the p-th percentile by the nearest-rank method (no interpolation, so every result is
     * a value that was actually measured).
     *
     * @param samples at least one value; not modified
     * @param p 0 to 100
     * @return the percentile
     */
    public static double percentile(double[] samples, double p) {
        if (samples.length == 0) {
            throw new IllegalArgumentException("no samples");
        }
        if (p < 0 || p > 100) {
            throw new IllegalArgumentException("percentile must be 0 to 100, got " + p);
        }
        double[] sorted = samples.clone();
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, rank - 1)];
    }

    /**
     * Returns the median (nearest rank, the lower middle for an even count).
     *
     * @param samples at least one value
     * @return the median
     */
    public static double median(double[] samples) {
        return percentile(samples, 50);
    }
}
