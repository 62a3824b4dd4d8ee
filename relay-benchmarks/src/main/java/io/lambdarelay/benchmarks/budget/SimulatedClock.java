package io.lambdarelay.benchmarks.budget;

/** The remaining time of one simulated invocation; units advance it instead of sleeping. */
public final class SimulatedClock {
    private final long budgetMillis;
    private long elapsedMillis;

    /**
     * Starts an invocation.
     *
     * @param budgetMillis the invocation's timeout
     */
    public SimulatedClock(long budgetMillis) {
        this.budgetMillis = budgetMillis;
    }

    /** Returns the milliseconds left, as {@code Context.getRemainingTimeInMillis()} would. */
    public long remaining() {
        return budgetMillis - elapsedMillis;
    }

    /** Lets time pass. */
    public void advance(long millis) {
        elapsedMillis += millis;
    }
}
