package io.lambdarelay.benchmarks.budget;

/**
 * The bound no rule can beat: it knows how long the next unit will take and starts it exactly when
 * it ends with time left for the hand-off. It never times out, and its utilisation is the ceiling
 * for a distribution.
 */
public final class OracleRule implements StopRule {
    private final long handOffMillis;

    /**
     * Creates the oracle.
     *
     * @param handOffMillis the time the hand-off after the last unit needs
     */
    public OracleRule(long handOffMillis) {
        this.handOffMillis = handOffMillis;
    }

    @Override
    public String name() {
        return "oracle (knows the next unit)";
    }

    @Override
    public Session start(SimulatedClock clock, long hintMillis) {
        return new Session() {
            @Override
            public boolean startAnother() {
                throw new UnsupportedOperationException("the oracle needs the next unit's time");
            }

            @Override
            public boolean startAnother(long nextUnitMillis) {
                return nextUnitMillis + handOffMillis <= clock.remaining();
            }

            @Override
            public void run(long unitMillis) {
                clock.advance(unitMillis);
            }

            @Override
            public long hintForNext() {
                return 0;
            }
        };
    }
}
