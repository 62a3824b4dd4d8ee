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
        // After ten units the margin is the fit of the units' tail, but never below the longest unit
        // (2,000 ms); with the 200 ms reserve it starts units until fewer than 2,200 ms remain: the last
        // starts at 57,800 ms and ends at 57,850 ms.
        assertFalse(inv.timedOut());
        assertEquals(57_850, inv.completedMillis());
    }

    @Test
    void timeBudget_onConstantUnits_usesAllButTheReserveAndOneUnit() {
        Totals t = sim.run(TimeBudgetRule.defaults(), () -> 100, 3);
        // Even units have no spread: the margin is one unit. Stops when remaining - 200 < 100, after 598
        // units: 59,800 of 60,000 ms.
        assertEquals(0, t.timeouts());
        assertEquals(598 * 3, t.units());
        assertEquals(59_800.0 / 60_000, t.utilisation(), 1e-12);
    }

    @Test
    void previousRule_onConstantUnits_keptOneSecondAndTwoUnits() {
        Totals t = sim.run(new PreviousRule(), () -> 100, 3);
        // Stopped when remaining - 1,000 < 200: 589 units, 58,900 of 60,000 ms.
        assertEquals(589 * 3, t.units());
        assertEquals(58_900.0 / 60_000, t.utilisation(), 1e-12);
    }

    @Test
    void oracle_startsEveryUnitThatEndsBeforeTheHandOff_andNeverTimesOut() {
        BudgetSimulation withHandOff = new BudgetSimulation(BUDGET, 100);
        Invocation inv = withHandOff.invoke(new OracleRule(100), seq(59_800, 150, 1, 100), 0);
        // 59,800 ms, then 150 ms does not end by 59,900 ms: it stops, though 100 ms units would fit.
        assertFalse(inv.timedOut());
        assertEquals(59_800, inv.completedMillis());
        Totals t = withHandOff.run(new OracleRule(100), UnitTimes.LOGNORMAL.source(new Random(3)), 300);
        assertEquals(0, t.timeouts());
    }

    @Test
    void handOffTime_countsAUnitEndingInItAsATimeout() {
        StopRule always = new SeedRule();
        assertFalse(sim.invoke(always, seq(59_950, 50, 1, 1_000_000), 0).timedOut());
        assertTrue(new BudgetSimulation(BUDGET, 100).invoke(always, seq(59_950, 50, 1, 1_000_000), 0).timedOut());
    }

    @Test
    void everyRuleSeesTheSameUnits_evenWhenTheOraclePeeksAtTheNextOne() {
        BudgetSimulation withHandOff = new BudgetSimulation(BUDGET, 100);
        Totals plain = withHandOff.run(new SeedRule(), UnitTimes.LOGNORMAL.source(new Random(5)), 50);
        Totals again = withHandOff.run(new SeedRule(), UnitTimes.LOGNORMAL.source(new Random(5)), 50);
        assertEquals(plain, again);
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
    void carriedHint_informsOnlyTheFirstUnits_ofTheNextInvocation() {
        // The first invocation meets a 20 s unit and carries it. The next invocation expects 40 s per unit
        // until it has measured ten of its own 100 ms units; by the end it uses as much as a fresh one.
        StopRule worker = new TimeBudgetRule(TimeBudgetRule.Hint.RELAY_WORKER, 2.0);
        Invocation first = sim.invoke(worker, seq(20_000, 100, 0, 100), 0);
        assertEquals(20_000, first.hintForNext());
        Invocation carried = sim.invoke(worker, () -> 100, first.hintForNext());
        Invocation fresh = sim.invoke(TimeBudgetRule.defaults(), () -> 100, first.hintForNext());
        assertEquals(59_800, carried.completedMillis());
        assertEquals(59_800, fresh.completedMillis());
        Invocation shortOne = new BudgetSimulation(5_000).invoke(worker, () -> 100, 2_000);
        assertEquals(900, shortOne.completedMillis(), "in 5 s it stops after nine units: 4 s and the reserve no longer fit");
    }

    @Test
    void relayWorkerHint_isThePreviousInvocationsOwnLongestUnit_theWholeChainHintNeverFalls() {
        // Both start from a 20 s hint and then see only 100 ms units.
        StopRule worker = new TimeBudgetRule(TimeBudgetRule.Hint.RELAY_WORKER, 2.0);
        StopRule chain = new TimeBudgetRule(TimeBudgetRule.Hint.CHAIN_LONGEST, 2.0);
        assertEquals(100, sim.invoke(worker, () -> 100, 20_000).hintForNext());
        assertEquals(20_000, sim.invoke(chain, () -> 100, 20_000).hintForNext());
        // Over a chain (the first invocation runs only the 20 s unit: 40 s more do not fit), either hint
        // stops counting after ten units of the next invocation.
        Totals w = sim.run(worker, seq(20_000, 100, 1_000_000, 100), 4);
        Totals c = sim.run(chain, seq(20_000, 100, 1_000_000, 100), 4);
        assertEquals(20_000 + 3 * 59_800, w.completedMillis());
        assertEquals(w.completedMillis(), c.completedMillis());
    }

    @Test
    void afterATimeout_theNextInvocationStartsFromTheRedeliveredPacketsHint() {
        Invocation timedOut = new Invocation(1_000, 3, true, false, 7);
        Invocation passed = new Invocation(1_000, 3, false, false, 7);
        assertEquals(500, BudgetSimulation.nextHint(500, timedOut));
        assertEquals(7, BudgetSimulation.nextHint(500, passed));
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
