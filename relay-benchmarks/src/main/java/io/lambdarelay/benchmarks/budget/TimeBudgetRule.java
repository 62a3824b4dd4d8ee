package io.lambdarelay.benchmarks.budget;

import io.lambdarelay.TimeBudget;
import java.time.Duration;
import java.util.Locale;

/**
 * relay-core's real {@link TimeBudget} reading the simulated clock, with its default reserve
 * (min(1 s, 10%)) and a given safety factor on the longest unit seen, and one of three ways to
 * start an invocation.
 */
public final class TimeBudgetRule implements StopRule {
    /** What an invocation's budget knows before its first unit. */
    public enum Hint {
        /** Nothing: a fresh budget per invocation (the conservative model). */
        NONE,
        /**
         * The previous budget's longest unit, hint included, as {@code RelayWorker} carries it in the
         * packet: the longest unit of the whole chain so far.
         */
        CHAIN_LONGEST,
        /** A what-if: the longest unit the previous invocation itself ran, so an old outlier expires. */
        PREVIOUS_INVOCATION
    }

    private final Hint hint;
    private final double safetyFactor;

    /**
     * Creates the rule.
     *
     * @param hint how the hint travels between invocations
     * @param safetyFactor the budget's factor on the longest unit, {@link TimeBudget#DEFAULT_SAFETY_FACTOR} by default
     */
    public TimeBudgetRule(Hint hint, double safetyFactor) {
        this.hint = hint;
        this.safetyFactor = safetyFactor;
    }

    /** The budget as the library ships it: defaults, fresh per invocation. */
    public static TimeBudgetRule defaults() {
        return new TimeBudgetRule(Hint.NONE, TimeBudget.DEFAULT_SAFETY_FACTOR);
    }

    @Override
    public String name() {
        String base = switch (hint) {
            case NONE -> "TimeBudget, fresh";
            case CHAIN_LONGEST -> "TimeBudget, hint carried";
            case PREVIOUS_INVOCATION -> "TimeBudget, previous hop's hint";
        };
        return safetyFactor == TimeBudget.DEFAULT_SAFETY_FACTOR ? base
                : String.format(Locale.ROOT, "%s, factor %.1f", base, safetyFactor);
    }

    @Override
    public Session start(SimulatedClock clock, long hintMillis) {
        TimeBudget budget = TimeBudget.builder()
                .remainingMillis(clock::remaining)
                .safetyFactor(safetyFactor)
                .unitHint(hint != Hint.NONE && hintMillis > 0 ? Duration.ofMillis(hintMillis) : null)
                .build();
        return new Session() {
            private long longestHere;

            @Override
            public boolean startAnother() {
                return budget.hasTimeForAnother();
            }

            @Override
            public void run(long unitMillis) {
                budget.measure(() -> clock.advance(unitMillis));
                longestHere = Math.max(longestHere, unitMillis);
            }

            @Override
            public long hintForNext() {
                return hint == Hint.PREVIOUS_INVOCATION ? longestHere : budget.longestUnitMillis();
            }
        };
    }
}
