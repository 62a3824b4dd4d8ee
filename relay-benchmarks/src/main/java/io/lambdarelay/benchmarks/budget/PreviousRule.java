package io.lambdarelay.benchmarks.budget;

/**
 * relay-core's rule before the tail margin, kept here to compare against: a reserve of a tenth of
 * the invocation, at most 1 s, and another unit only if the rest covers twice the longest unit
 * seen. No hint.
 */
public final class PreviousRule implements StopRule {
    private static final double FACTOR = 2.0;
    private static final long MAX_RESERVE_MILLIS = 1_000;

    @Override
    public String name() {
        return "previous TimeBudget (2 x longest, 1 s)";
    }

    @Override
    public Session start(SimulatedClock clock, long hintMillis) {
        long reserve = Math.min(MAX_RESERVE_MILLIS, Math.max(0, clock.remaining() / 10));
        return new Session() {
            private long longest;
            private int units;

            @Override
            public boolean startAnother() {
                long usable = clock.remaining() - reserve;
                return units == 0 ? usable > 0 : usable > 0 && usable >= Math.ceil(longest * FACTOR);
            }

            @Override
            public void run(long unitMillis) {
                clock.advance(unitMillis);
                longest = Math.max(longest, unitMillis);
                units++;
            }

            @Override
            public long hintForNext() {
                return 0;
            }
        };
    }
}
