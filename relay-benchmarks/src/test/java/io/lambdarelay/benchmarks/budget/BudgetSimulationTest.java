package io.lambdarelay.benchmarks.budget;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lambdarelay.benchmarks.budget.BudgetSimulation.Invocation;
import io.lambdarelay.benchmarks.budget.BudgetSimulation.Totals;
import java.util.PrimitiveIterator;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class BudgetSimulationTest {
    private static final long BUDGET = 60_000;
    private final BudgetSimulation sim = new BudgetSimulation(BUDGET);

    @Test
    void seedRule_forgetsASlowUnit_andTimesOutWhenItComesBack() {
        Invocation inv = sim.invoke(new SeedRule(), seq(2_000, 50, 1_140, 2_000), 0);
        // After 2,000 + 1,140 x 50 = 59,000 ms, 1,000 ms remain; 1.5 x 50 fits, so the seed starts the
        // 2 s unit, which cannot finish.
        assertTrue(inv.timedOut());
        assertEquals(59_000, inv.completedMillis());
        assertEquals(1_141, inv.units());
    }

    @Test
    void timeBudget_remembersTheSlowUnit_andStopsInTime() {
        Invocation inv = sim.invoke(TimeBudgetRule.defaults(), seq(2_000, 50, 1_140, 2_000), 0);
        // Expects 2 x 2,000 = 4,000 ms per unit and keeps a 1,000 ms reserve, so it starts units until
        // fewer than 5,000 ms remain: the last starts at 55,000 ms and ends at 55,050 ms.
        assertFalse(inv.timedOut());
        assertEquals(55_050, inv.completedMillis());
    }

    @Test
    void timeBudget_onConstantUnits_usesAllButTheReserveAndOneExpectedUnit() {
        Totals t = sim.run(TimeBudgetRule.defaults(), () -> 100, 3);
        // Stops when remaining - 1,000 < 200, after 589 units: 58,900 of 60,000 ms.
        assertEquals(0, t.timeouts());
        assertEquals(589 * 3, t.units());
        assertEquals(58_900.0 / 60_000, t.utilisation(), 1e-12);
    }

    @Test
    void seedRule_onConstantUnits_stopsWhenOneAndAHalfUnitsNoLongerFit() {
        Totals t = sim.run(new SeedRule(), () -> 100, 3);
        // With 100 ms left, 150 ms does not fit: 599 units, 59,900 of 60,000 ms.
        assertEquals(0, t.timeouts());
        assertEquals(599 * 3, t.units());
        assertEquals(59_900.0 / 60_000, t.utilisation(), 1e-12);
    }

    @Test
    void carriedHint_keepsTheNextInvocationCautious_aFreshBudgetDoesNot() {
        // The first invocation meets a 30 s unit. Carrying it, the next invocation expects 45 s per unit
        // and stops once fewer than 46 s remain, although every later unit takes 100 ms.
        StopRule chain = new TimeBudgetRule(TimeBudgetRule.Hint.CHAIN_LONGEST, 1.5);
        Invocation first = sim.invoke(chain, seq(30_000, 100, 0, 100), 0);
        assertEquals(30_000, first.hintForNext());
        Invocation carried = sim.invoke(chain, () -> 100, first.hintForNext());
        Invocation fresh = sim.invoke(TimeBudgetRule.defaults(), () -> 100, first.hintForNext());
        assertEquals(14_100, carried.completedMillis());
        assertEquals(58_900, fresh.completedMillis());
        // The chain keeps the old outlier; a hint of the previous invocation's own units lets it go.
        assertEquals(30_000, carried.hintForNext());
        StopRule previous = new TimeBudgetRule(TimeBudgetRule.Hint.PREVIOUS_INVOCATION, 1.5);
        assertEquals(100, sim.invoke(previous, () -> 100, 30_000).hintForNext());
    }

    @Test
    void sameSeed_sameResult() {
        Totals a = sim.run(new SeedRule(), UnitTimes.LOGNORMAL.source(new Random(1)), 200);
        Totals b = sim.run(new SeedRule(), UnitTimes.LOGNORMAL.source(new Random(1)), 200);
        assertEquals(a, b);
    }

    /** {@code first}, then {@code count} units of {@code fast}, then {@code after} forever. */
    private static UnitSource seq(long first, long fast, int count, long after) {
        PrimitiveIterator.OfLong it = LongStream.concat(
                LongStream.concat(LongStream.of(first), LongStream.generate(() -> fast).limit(count)),
                LongStream.generate(() -> after)).iterator();
        return it::nextLong;
    }
}
