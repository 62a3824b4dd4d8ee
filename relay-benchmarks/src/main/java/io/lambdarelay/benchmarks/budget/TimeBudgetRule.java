package io.lambdarelay.benchmarks.budget;

import io.lambdarelay.TimeBudget;
import java.time.Duration;

/**
 * relay-core's real {@link TimeBudget} with its defaults (reserve min(1 s, 10%), 1.5 times the
 * longest unit seen), reading the simulated clock. With {@code carryHint} the longest unit seen
 * travels to the next invocation, as {@code RelayWorker} does through the packet.
 */
public final class TimeBudgetRule implements StopRule {
    private final boolean carryHint;

    /**
     * Creates the rule.
     *
     * @param carryHint whether each invocation starts from the previous one's longest unit
     */
    public TimeBudgetRule(boolean carryHint) {
        this.carryHint = carryHint;
    }

    @Override
    public String name() {
        return carryHint ? "TimeBudget, hint carried" : "TimeBudget, fresh";
    }

    @Override
    public Session start(SimulatedClock clock, long hintMillis) {
        TimeBudget budget = TimeBudget.builder()
                .remainingMillis(clock::remaining)
                .unitHint(carryHint && hintMillis > 0 ? Duration.ofMillis(hintMillis) : null)
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
                return budget.longestUnitMillis();
            }
        };
    }
}
