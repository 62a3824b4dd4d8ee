package io.lambdarelay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lambdarelay.local.LocalContext;
import io.lambdarelay.local.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TimeBudgetTest {
    /** Remaining time the test moves by hand. */
    private final AtomicLong remaining = new AtomicLong();

    private TimeBudget budget(long startMillis, Duration reserve) {
        remaining.set(startMillis);
        return TimeBudget.builder().remainingMillis(remaining::get).reserve(reserve).build();
    }

    private void unit(TimeBudget b, long millis) {
        b.measure(() -> remaining.addAndGet(-millis));
    }

    @Test
    void defaultReserve_is200Ms_orATenthOfAShortInvocation_andIsTheHandOffTime() {
        remaining.set(1_500);
        assertEquals(150, TimeBudget.of(remaining::get).reserveMillis());
        remaining.set(60_000);
        TimeBudget b = TimeBudget.of(remaining::get);
        assertEquals(200, b.reserveMillis());
        assertEquals(100, b.handOffMillis(), "the deadline hand-off comes at half the reserve");
    }

    @Test
    void afterTenUnits_theMarginIsTheLognormalTailOfTheUnitsSeen() {
        TimeBudget b = budget(600_000, Duration.ZERO);
        for (int i = 0; i < 5; i++) {
            unit(b, 100);
            unit(b, 400);
        }
        // logs: mean 5.298, sample sd 0.7307; exp(5.298 + 3.5 * 0.7307) = 2,578 ms (2 x longest would be 800)
        long expected = b.expectedUnitMillis();
        assertTrue(expected >= 2_570 && expected <= 2_590, "got " + expected);
        assertEquals(b.expectedUnitMillis(), budgetAfter(List.of(100L, 400L, 100L, 400L, 100L, 400L, 100L, 400L, 100L,
                400L)).expectedUnitMillis(), "it depends on the units only");
    }

    @Test
    void afterTenUnits_evenUnits_leaveAMarginOfOneUnit() {
        TimeBudget b = budget(600_000, Duration.ZERO);
        for (int i = 0; i < 9; i++) {
            unit(b, 100);
        }
        assertEquals(200, b.expectedUnitMillis(), "nine units: still twice the longest");
        unit(b, 100);
        assertEquals(100, b.expectedUnitMillis(), "ten equal units: no spread, a margin of one unit");
    }

    @Test
    void theMarginIsNeverBelowTheLongestUnitMeasured_soARareSlowModeIsCovered() {
        TimeBudget b = budget(600_000, Duration.ZERO);
        for (int i = 0; i < 30; i++) {
            unit(b, 100);
        }
        unit(b, 1_000); // the fit alone says about 460 ms
        assertEquals(1_000, b.expectedUnitMillis());
    }

    @Test
    void tailSigmas_isConfigurable_andValidated() {
        remaining.set(600_000);
        TimeBudget b = TimeBudget.builder().remainingMillis(remaining::get).tailSigmas(0).build();
        for (int i = 0; i < 5; i++) {
            unit(b, 100);
            unit(b, 400);
        }
        assertEquals(400, b.expectedUnitMillis(), "the median fit (200 ms) is below the longest");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TimeBudget.builder()
                .remainingMillis(remaining::get).tailSigmas(-1).build()).getMessage().contains("tailSigmas"));
    }

    private TimeBudget budgetAfter(List<Long> units) {
        TimeBudget b = budget(600_000, Duration.ZERO);
        units.forEach(u -> unit(b, u));
        return b;
    }

    @Test
    void of_context_readsTheContextsRemainingTime() {
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        LocalContext ctx = LocalContext.builder().functionName("w").timeout(Duration.ofSeconds(10)).clock(clock).build();
        TimeBudget b = TimeBudget.of(ctx);
        assertEquals(9_800, b.usableMillis());
        clock.advance(Duration.ofMillis(4_000));
        assertEquals(5_800, b.usableMillis());
    }

    @Test
    void beforeAnyUnit_hasTimeWhileUsableTimeIsLeft() {
        TimeBudget b = budget(1_000, Duration.ofMillis(200));
        assertTrue(b.hasTimeForAnother());
        remaining.set(200);
        assertFalse(b.hasTimeForAnother());
    }

    @Test
    void measure_recordsUnitTimesFromTheRemainingTimeSupplier() {
        TimeBudget b = budget(10_000, Duration.ZERO);
        unit(b, 100);
        unit(b, 300);
        unit(b, 50);
        assertEquals(3, b.unitsCompleted());
        assertEquals(450, b.spentMillis());
        assertEquals(300, b.longestUnitMillis());
        assertEquals(600, b.expectedUnitMillis()); // 2 x the longest
    }

    @Test
    void stops_whenRemainingLessReserveIsBelowTwiceTheLongestUnit() {
        TimeBudget b = budget(10_000, Duration.ofMillis(1_000));
        unit(b, 400);                     // expect 800 per unit from now on
        remaining.set(1_000 + 800);
        assertTrue(b.hasTimeForAnother());
        remaining.set(1_000 + 799);
        assertFalse(b.hasTimeForAnother());
    }

    @Test
    void aSlowUnitIsRemembered_unlikeTheLastUnitRule() {
        // The seed's rule looks at the last unit only: after 2000 ms then 50 ms it would start another unit
        // with 100 ms left. The longest-seen rule keeps expecting 4000 ms.
        TimeBudget b = budget(20_000, Duration.ZERO);
        unit(b, 2_000);
        unit(b, 50);
        remaining.set(3_900);
        assertFalse(b.hasTimeForAnother());
        remaining.set(4_000);
        assertTrue(b.hasTimeForAnother());
    }

    @Test
    void unitHint_informsTheEstimate_butTheFirstUnitAlwaysRuns() {
        remaining.set(5_000);
        TimeBudget b = TimeBudget.builder().remainingMillis(remaining::get).reserve(Duration.ZERO)
                .unitHint(Duration.ofMillis(2_000)).build();
        assertEquals(4_000, b.expectedUnitMillis());
        assertTrue(b.hasTimeForAnother(), "one slow unit earlier must not stop the relay");
        unit(b, 100);
        remaining.set(3_999);
        assertFalse(b.hasTimeForAnother(), "after a unit, the hint counts");
    }

    @Test
    void aUnitThatRanAsTheFirstOfAnInvocation_runsAsTheFirstOfTheNext_usingTheReserve() {
        // 9.1 s ran as the first unit of a 10 s invocation; the next starts with 9.15 s, 1 s of it reserve
        remaining.set(9_150);
        TimeBudget b = TimeBudget.builder().remainingMillis(remaining::get).reserve(Duration.ofSeconds(1))
                .unitHint(Duration.ofMillis(9_100)).build();

        assertTrue(b.hasTimeForAnother(), "refusing it would end a healthy chain in the dead-letter queue");
        unit(b, 9_100);
        assertFalse(b.hasTimeForAnother());
    }

    @Test
    void aHintLongerThanAWholeInvocation_throwsInsteadOfRelayingForever() {
        remaining.set(10_000);
        TimeBudget b = TimeBudget.builder().remainingMillis(remaining::get).reserve(Duration.ofMillis(1_000))
                .unitHint(Duration.ofMillis(10_001)).build();
        UnitTooLongException e = assertThrows(UnitTooLongException.class, b::hasTimeForAnother);
        assertEquals(10_001, e.unitMillis());
        assertEquals(10_000, e.budgetMillis());
        assertTrue(e.getMessage().contains("split the work into smaller units"), e.getMessage());
    }

    @Test
    void aUnitMeasuredNearlyAsLongAsTheBudget_endsTheInvocation() {
        TimeBudget b = budget(10_000, Duration.ZERO);
        unit(b, 9_500);
        assertFalse(b.hasTimeForAnother());
    }

    @Test
    void hasTimeForAnother_countsAPacingWait() {
        TimeBudget b = budget(10_000, Duration.ZERO);
        unit(b, 1_000);                       // 2,000 expected; 9,000 left
        assertTrue(b.hasTimeForAnother(7_000));
        assertFalse(b.hasTimeForAnother(7_001));
    }

    @Test
    void measure_supplierReturnsTheUnitsResult() {
        TimeBudget b = budget(10_000, Duration.ZERO);
        boolean more = b.measure(() -> {
            remaining.addAndGet(-10);
            return false;
        });
        assertFalse(more);
        assertEquals(10, b.spentMillis());
    }

    @Test
    void longestMeasured_leavesTheHintOut_soASlowUnitIsForgottenAfterOneHop() {
        remaining.set(60_000);
        TimeBudget b = TimeBudget.builder().remainingMillis(remaining::get).unitHint(Duration.ofMillis(5_000)).build();
        unit(b, 100);
        assertEquals(5_000, b.longestUnitMillis());
        assertEquals(100, b.longestMeasuredMillis());
    }

    @Test
    void safetyFactor_isConfigurable() {
        remaining.set(10_000);
        TimeBudget b = TimeBudget.builder().remainingMillis(remaining::get).safetyFactor(1.5).build();
        unit(b, 300);
        assertEquals(450, b.expectedUnitMillis());
    }

    @Test
    void record_negativeCountsAsZero() {
        TimeBudget b = budget(10_000, Duration.ZERO);
        b.record(-5);
        assertEquals(0, b.longestUnitMillis());
        assertEquals(1, b.unitsCompleted());
    }

    @Test
    void builder_rejectsBadSettingsNamingThem() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TimeBudget.builder().build())
                .getMessage().startsWith("remainingMillis is required"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TimeBudget.builder().remainingMillis(() -> 1)
                .safetyFactor(0.9).build()).getMessage().contains("safetyFactor must be a finite number >= 1.0, got 0.9"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TimeBudget.builder().remainingMillis(() -> 1)
                .safetyFactor(Double.NaN).build()).getMessage().contains("safetyFactor"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TimeBudget.builder().remainingMillis(() -> 1)
                .reserve(Duration.ofMillis(-1)).build()).getMessage().contains("reserve must not be negative"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TimeBudget.builder().remainingMillis(() -> 1)
                .unitHint(Duration.ofMillis(-1)).build()).getMessage().contains("unitHint must not be negative"));
    }
}
