package io.lambdarelay.benchmarks;

import io.lambdarelay.TimeBudget;
import io.lambdarelay.benchmarks.budget.BudgetSimulation;
import io.lambdarelay.benchmarks.budget.BudgetSimulation.Totals;
import io.lambdarelay.benchmarks.budget.SeedRule;
import io.lambdarelay.benchmarks.budget.StopRule;
import io.lambdarelay.benchmarks.budget.TimeBudgetRule;
import io.lambdarelay.benchmarks.budget.TimeBudgetRule.Hint;
import io.lambdarelay.benchmarks.budget.UnitTimes;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
    /** The default safety factor before relay-core raised it to 2.0; a what-if row. */
    static final double EARLIER_SAFETY_FACTOR = 1.5;

    private TimeBudgetBenchmark() {
    }

    static void run(ResultTable table, PrintStream out) {
        BudgetSimulation sim = new BudgetSimulation(BUDGET_MILLIS);
        StopRule ours = TimeBudgetRule.defaults();
        StopRule seed = new SeedRule();
        // Variants that show how the shipped behaviour compares; reported, not judged.
        StopRule workerHint = new TimeBudgetRule(Hint.RELAY_WORKER, TimeBudget.DEFAULT_SAFETY_FACTOR);
        StopRule chainHint = new TimeBudgetRule(Hint.CHAIN_LONGEST, TimeBudget.DEFAULT_SAFETY_FACTOR);
        StopRule factor15 = new TimeBudgetRule(Hint.NONE, EARLIER_SAFETY_FACTOR);
        List<StopRule> rules = List.of(ours, seed, workerHint, chainHint, factor15);

        out.printf(Locale.ROOT, "%,d invocations of %,d ms per distribution and rule, random seed %d%n", INVOCATIONS,
                BUDGET_MILLIS, RANDOM_SEED);
        out.printf(Locale.ROOT, "  %-34s %-40s %12s %24s %10s%n", "distribution", "rule", "utilisation",
                "timeouts", "units/inv");
        List<String> worseOnBoth = new ArrayList<>();
        for (UnitTimes dist : UnitTimes.values()) {
            Map<StopRule, Totals> results = new LinkedHashMap<>();
            for (StopRule rule : rules) {
                Totals t = sim.run(rule, dist.source(new Random(RANDOM_SEED + dist.ordinal())), INVOCATIONS);
                results.put(rule, t);
                out.printf(Locale.ROOT, "  %-34s %-40s %12s %24s %10.1f%s%n", dist.label(), rule.name(),
                        pct(t.utilisation()), timeouts(t), (double) t.units() / t.invocations(),
                        t.gaveUp() > 0 ? "  (gave up " + t.gaveUp() + " times: unit too long)" : "");
            }
            Totals o = results.get(ours);
            Totals s = results.get(seed);
            double minUtil = dist.heavyTailed() ? MIN_UTILISATION_HEAVY_TAILED : MIN_UTILISATION;
            String part = "3 TimeBudget";
            table.add(part, dist.label() + ": timeout rate",
                    timeouts(o) + "; seed " + pct2(s.timeoutRate()), "<= 0.10%",
                    Verdict.of(o.timeoutRate() <= MAX_TIMEOUT_RATE));
            table.add(part, dist.label() + ": utilisation",
                    pct(o.utilisation()) + "; seed " + pct(s.utilisation()), ">= " + pct(minUtil),
                    Verdict.of(o.utilisation() >= minUtil));
            table.add(part, dist.label() + ": hint carried as RelayWorker does: util. / timeouts",
                    pct(results.get(workerHint).utilisation()) + " / " + pct2(results.get(workerHint).timeoutRate()),
                    "-", Verdict.INFO);
            table.add(part, dist.label() + ": safety factor 1.5 (earlier default): util. / timeouts",
                    pct(results.get(factor15).utilisation()) + " / " + pct2(results.get(factor15).timeoutRate()), "-",
                    Verdict.INFO);
            if (o.utilisation() < s.utilisation() && o.timeoutRate() > s.timeoutRate()) {
                worseOnBoth.add(dist.label());
            }
        }
        table.add("3 TimeBudget", "ours worse than seed on both figures at once",
                worseOnBoth.isEmpty() ? "on no distribution" : "on " + String.join(", ", worseOnBoth), "never",
                Verdict.of(worseOnBoth.isEmpty()));
    }

    /** The rate with its count, so a reader can judge how far the rate is from noise. */
    private static String timeouts(Totals t) {
        return String.format(Locale.ROOT, "%s (%d/%,d)", pct2(t.timeoutRate()), t.timeouts(), t.invocations());
    }

    private static String pct(double v) {
        return String.format(Locale.ROOT, "%.1f%%", v * 100);
    }

    private static String pct2(double v) {
        return String.format(Locale.ROOT, "%.2f%%", v * 100);
    }
}
