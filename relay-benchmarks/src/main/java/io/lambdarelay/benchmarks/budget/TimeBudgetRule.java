package io.lambdarelay.benchmarks.budget;

import io.lambdarelay.TimeBudget;
import java.time.Duration;
import java.util.Locale;

/**
 * relay-core's real {@link TimeBudget} reading the simulated clock, with its default reserve
 * (200 ms), a given safety factor (until ten units were measured) and tail margin, and one of
 * three ways to start an invocation.
 */
public final class TimeBudgetRule implements StopRule {
    /** What an invocation's budget knows before its first unit. */
    public enum Hint {
        /** Nothing: a fresh budget per invocation (the conservative model). */
        NONE,
        /**
         * As {@code RelayWorker} carries it in the packet: the longest unit the previous invocation
         * measured itself ({@link TimeBudget#longestMeasuredMillis()}), without the hint that
         * invocation started from; the incoming hint only if it ran no unit. One slow unit makes the
         * next invocation cautious and is then forgotten.
         */
        RELAY_WORKER,
        /**
         * A what-if, how {@code RelayWorker} carried the hint before: the previous budget's
         * {@link TimeBudget#longestUnitMillis()}, hint included, so the longest unit of the whole
         * chain so far, which never falls.
         */
        CHAIN_LONGEST
    }

    private final Hint hint;
    private final double safetyFactor;
    private final double tailSigmas;

    /**
     * Creates the rule with the default tail margin.
     *
     * @param hint how the hint travels between invocations
     * @param safetyFactor the budget's factor on the longest unit, {@link TimeBudget#DEFAULT_SAFETY_FACTOR} by default
     */
    public TimeBudgetRule(Hint hint, double safetyFactor) {
        this(hint, safetyFactor, TimeBudget.DEFAULT_TAIL_SIGMAS);
    }

    /**
     * Creates the rule.
     *
     * @param hint how the hint travels between invocations
     * @param safetyFactor the budget's factor on the longest unit while few were measured
     * @param tailSigmas the budget's tail margin, {@link TimeBudget#DEFAULT_TAIL_SIGMAS} by default
     */
    public TimeBudgetRule(Hint hint, double safetyFactor, double tailSigmas) {
        this.hint = hint;
        this.safetyFactor = safetyFactor;
        this.tailSigmas = tailSigmas;
    }

    /** The budget as the library ships it: defaults, fresh per invocation. */
    public static TimeBudgetRule defaults() {
        return new TimeBudgetRule(Hint.NONE, TimeBudget.DEFAULT_SAFETY_FACTOR);
    }

    @Override
    public String name() {
        String base = switch (hint) {
            case NONE -> "TimeBudget, fresh";
            case RELAY_WORKER -> "TimeBudget, RelayWorker's hint";
            case CHAIN_LONGEST -> "TimeBudget, whole-chain hint (earlier)";
        };
        if (safetyFactor != TimeBudget.DEFAULT_SAFETY_FACTOR) {
            base = String.format(Locale.ROOT, "%s, factor %.1f", base, safetyFactor);
        }
        return tailSigmas == TimeBudget.DEFAULT_TAIL_SIGMAS ? base
                : String.format(Locale.ROOT, "%s, tail %.1f sd", base, tailSigmas);
    }

    @Override
    public Session start(SimulatedClock clock, long hintMillis) {
        TimeBudget budget = TimeBudget.builder()
                .remainingMillis(clock::remaining)
                .safetyFactor(safetyFactor)
                .tailSigmas(tailSigmas)
                .unitHint(hint != Hint.NONE && hintMillis > 0 ? Duration.ofMillis(hintMillis) : null)
                .build();
        return new Session() {
            @Override
            public boolean startAnother() {
                return budget.hasTimeForAnother();
            }

            @Override
            public void run(long unitMillis) {
                budget.measure(() -> clock.advance(unitMillis));
            }

            @Override
            public long hintForNext() {
                return carriedHint(hint, budget);
            }
        };
    }

    /**
     * Returns the hint an invocation passes on, for a way of carrying it.
     *
     * @param hint how the hint travels
     * @param budget the invocation's budget, after its units
     * @return milliseconds
     */
    static long carriedHint(Hint hint, TimeBudget budget) {
        return switch (hint) {
            case NONE -> 0;
            // As RelayWorker.unitHint: this invocation's own longest unit, or the incoming hint if none ran.
            case RELAY_WORKER -> budget.unitsCompleted() > 0 ? budget.longestMeasuredMillis()
                    : budget.longestUnitMillis();
            case CHAIN_LONGEST -> budget.longestUnitMillis();
        };
    }
}
