package io.lambdarelay.benchmarks.budget;

/**
 * The rule of the original Node package, reimplemented as the baseline: the first unit always
 * starts; after that a unit starts only if 1.5 times the <em>last</em> unit fits in the remaining
 * time. It keeps no reserve and carries nothing between invocations.
 */
public final class SeedRule implements StopRule {
    private static final double FACTOR = 1.5;

    @Override
    public String name() {
        return "seed (1.5 x last unit)";
    }

    @Override
    public Session start(SimulatedClock clock, long hintMillis) {
        return new Session() {
            private long lastMillis = -1;

            @Override
            public boolean startAnother() {
                return lastMillis < 0 || FACTOR * lastMillis <= clock.remaining();
            }

            @Override
            public void run(long unitMillis) {
                clock.advance(unitMillis);
                lastMillis = unitMillis;
            }

            @Override
            public long hintForNext() {
                return 0;
            }
        };
    }
}
