package io.lambdarelay.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * When each hop of one relay chain started its unit, recorded by the invocations (on the pollers'
 * threads) and read after the chain. Hop {@code h} is the invocation that received the packet
 * after its {@code h}-th hand-off, so a chain of {@code n} hops has invocations 1 to {@code n}.
 */
final class HopTimeline {
    private final AtomicLongArray startNanos;
    private final AtomicIntegerArray runs;

    /**
     * Creates an empty timeline.
     *
     * @param hops the chain's length, at least 2
     */
    HopTimeline(int hops) {
        if (hops < 2) {
            throw new IllegalArgumentException("a timeline needs at least 2 hops, got " + hops);
        }
        startNanos = new AtomicLongArray(hops + 1);
        runs = new AtomicIntegerArray(hops + 1);
    }

    /** Returns the chain's length. */
    int hops() {
        return startNanos.length() - 1;
    }

    /**
     * Records that a hop's unit started. A hop that runs again (a redelivered message) keeps its
     * first time and counts as a repeat.
     *
     * @param hop 1 to {@link #hops()}
     * @param nanos {@link System#nanoTime()} at the start
     */
    void record(long hop, long nanos) {
        if (hop < 1 || hop > hops()) {
            throw new IllegalArgumentException("hop " + hop + " is outside 1.." + hops());
        }
        if (runs.getAndIncrement((int) hop) == 0) {
            startNanos.set((int) hop, nanos);
        }
    }

    /** Returns the hops that never ran, in order. */
    List<Integer> missing() {
        List<Integer> out = new ArrayList<>();
        for (int h = 1; h <= hops(); h++) {
            if (runs.get(h) == 0) {
                out.add(h);
            }
        }
        return out;
    }

    /** Returns how many times hops ran beyond their first run (redeliveries), all hops together. */
    int repeats() {
        int n = 0;
        for (int h = 1; h <= hops(); h++) {
            n += Math.max(0, runs.get(h) - 1);
        }
        return n;
    }

    /**
     * Returns the gaps between consecutive hops' starts: element {@code i} is from hop {@code i + 1}
     * to hop {@code i + 2}, so {@code hops - 1} gaps. Each gap is one invocation-start to the next:
     * the unit, the hand-off and the poll that delivered it, nothing subtracted.
     *
     * @return milliseconds
     * @throws IllegalStateException if a hop is missing or a hop started before the one it came from
     */
    double[] gapsMillis() {
        List<Integer> missing = missing();
        if (!missing.isEmpty()) {
            throw new IllegalStateException(missing.size() + " hop(s) never ran, the first is hop " + missing.get(0));
        }
        double[] gaps = new double[hops() - 1];
        for (int h = 2; h <= hops(); h++) {
            long gap = startNanos.get(h) - startNanos.get(h - 1);
            if (gap < 0) {
                throw new IllegalStateException("hop " + h + " started " + (-gap) + " ns before hop " + (h - 1));
            }
            gaps[h - 2] = gap / 1e6;
        }
        return gaps;
    }

    /**
     * Returns the start time of a hop.
     *
     * @param hop 1 to {@link #hops()}
     * @return {@link System#nanoTime()} at its first start, 0 if it never ran
     */
    long startNanos(int hop) {
        return startNanos.get(hop);
    }
}
