package io.lambdarelay.benchmarks.budget;

/** A rule that decides, before each unit, whether an invocation starts another one. */
public interface StopRule {
    /**
     * Returns the rule's name for tables.
     *
     * @return the name
     */
    String name();

    /**
     * Starts deciding for one invocation.
     *
     * @param clock the invocation's remaining time
     * @param hintMillis the longest unit carried from earlier invocations, 0 for none
     * @return the per-invocation state
     */
    Session start(SimulatedClock clock, long hintMillis);

    /** The rule's state within one invocation. */
    interface Session {
        /**
         * Tells whether to start another unit now.
         *
         * @return {@code true} to start one
         */
        boolean startAnother();

        /**
         * Tells whether to start another unit now, shown the unit that would start: only an
         * oracle looks at it.
         *
         * @param nextUnitMillis how long the next unit will take
         * @return {@code true} to start one
         */
        default boolean startAnother(long nextUnitMillis) {
            return startAnother();
        }

        /**
         * Runs a unit of the given length: advances the clock and lets the rule record it.
         *
         * @param unitMillis the unit's duration
         */
        void run(long unitMillis);

        /**
         * Returns the hint to carry to the next invocation.
         *
         * @return milliseconds
         */
        long hintForNext();
    }
}
