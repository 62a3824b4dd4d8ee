package io.lambdarelay.benchmarks;

import io.lambdarelay.benchmarks.budget.BudgetSimulation;
import io.lambdarelay.benchmarks.budget.BudgetSimulation.Totals;
import io.lambdarelay.benchmarks.budget.SeedRule;
import io.lambdarelay.benchmarks.budget.StopRule;
import io.lambdarelay.benchmarks.budget.TimeBudgetRule;
import io.lambdarelay.benchmarks.budget.UnitTimes;
import java.io.PrintStream;
import java.util.Locale;
import java.util.Random;

/**
 * Part 3: relay-core's {@code TimeBudget} against the seed's rule, over simulated invocations of a
 * 60 s budget. Deterministic: every rule sees the same seeded stream of unit times.
 */
final class TimeBudgetBenchmark {
    static final long BUDGET_MILLIS = 60_000;
    static final int INVOCATIONS = 10_000;
    static final long RANDOM_SEED = 7;
    static final double MAX_TIMEOUT_RATE = 0.001;
    static final double MIN_UTILISATION = 0.95;
    static final double MIN_UTILISATION_HEAVY_TAILED = 0.90;

    private TimeBudgetBenchmark() {
    }

    static void run(ResultTable table, PrintStream out) {
        BudgetSimulation sim = new BudgetSimulation(BUDGET_MILLIS);
        StopRule ours = new TimeBudgetRule(false);
        StopRule oursWithHint = new TimeBudgetRule(true);
        StopRule seed = new SeedRule();
        out.printf(Locale.ROOT, "%,d invocations of %,d ms per distribution, random seed %d%n", INVOCATIONS,
                BUDGET_MILLIS, RANDOM_SEED);
        out.printf(Locale.ROOT, "  %-34s %-26s %12s %12s %12s%n", "distribution", "rule", "utilisation",
                "timeouts", "units/inv");
        for (UnitTimes dist : UnitTimes.values()) {
            Totals o = simulate(sim, ours, dist);
            Totals h = simulate(sim, oursWithHint, dist);
            Totals s = simulate(sim, seed, dist);
            for (var e : new Object[][] {{ours, o}, {oursWithHint, h}, {seed, s}}) {
                Totals t = (Totals) e[1];
                out.printf(Locale.ROOT, "  %-34s %-26s %12s %12s %12.1f%s%n", dist.label(), ((StopRule) e[0]).name(),
                        pct(t.utilisation()), pct2(t.timeoutRate()), (double) t.units() / t.invocations(),
                        t.gaveUp() > 0 ? "  (gave up " + t.gaveUp() + " times: unit too long)" : "");
            }
            double minUtil = dist.heavyTailed() ? MIN_UTILISATION_HEAVY_TAILED : MIN_UTILISATION;
            String part = "3 TimeBudget";
            table.add(part, dist.label() + ": timeout rate, ours (seed)",
                    pct2(o.timeoutRate()) + " (" + pct2(s.timeoutRate()) + ")", "<= 0.10%",
                    Verdict.of(o.timeoutRate() <= MAX_TIMEOUT_RATE));
            table.add(part, dist.label() + ": utilisation, ours (seed)",
                    pct(o.utilisation()) + " (" + pct(s.utilisation()) + ")", ">= " + pct(minUtil),
                    Verdict.of(o.utilisation() >= minUtil));
            boolean worseOnBoth = o.utilisation() < s.utilisation() && o.timeoutRate() > s.timeoutRate();
            table.add(part, dist.label() + ": never worse than seed on both", worseOnBoth ? "worse on both" : "no",
                    "no", Verdict.of(!worseOnBoth));
            table.add(part, dist.label() + ": hint carried, utilisation / timeouts",
                    pct(h.utilisation()) + " / " + pct2(h.timeoutRate()), "-", Verdict.INFO);
        }
    }

    private static Totals simulate(BudgetSimulation sim, StopRule rule, UnitTimes dist) {
        return sim.run(rule, dist.source(new Random(RANDOM_SEED + dist.ordinal())), INVOCATIONS);
    }

    private static String pct(double v) {
        return String.format(Locale.ROOT, "%.1f%%", v * 100);
    }

    private static String pct2(double v) {
        return String.format(Locale.ROOT, "%.2f%%", v * 100);
    }
}
