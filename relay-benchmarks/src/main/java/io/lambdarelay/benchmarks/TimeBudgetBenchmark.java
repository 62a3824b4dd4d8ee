package io.lambdarelay.benchmarks;

import io.lambdarelay.TimeBudget;
import io.lambdarelay.benchmarks.budget.BudgetSimulation;
import io.lambdarelay.benchmarks.budget.BudgetSimulation.Totals;
import io.lambdarelay.benchmarks.budget.OracleRule;
import io.lambdarelay.benchmarks.budget.PreviousRule;
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
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;

/**
 * Part 3: relay-core's {@code TimeBudget} against the seed's rule, its own previous rule and an
 * oracle, over simulated invocations of a 60 s budget whose hand-off takes 100 ms. Deterministic:
 * every rule sees the same seeded stream of unit times; three seeds per distribution.
 */
final class TimeBudgetBenchmark {
    static final long BUDGET_MILLIS = 60_000;
    static final long HAND_OFF_MILLIS = 100;
    static final int INVOCATIONS = 10_000;
    static final long[] RANDOM_SEEDS = {7, 8, 9};
    static final double MAX_TIMEOUT_RATE = 0.0005;
    static final double MIN_UTILISATION = 0.985;
    static final double MIN_UTILISATION_HEAVY_TAILED = 0.94;
    /** Tail margins either side of the default, to show the trade. */
    static final double[] OTHER_TAILS = {3.0, 4.0};

    private TimeBudgetBenchmark() {
    }

    static void run(ResultTable table, PrintStream out) {
        BudgetSimulation sim = new BudgetSimulation(BUDGET_MILLIS, HAND_OFF_MILLIS);
        StopRule ours = TimeBudgetRule.defaults();
        StopRule seed = new SeedRule();
        StopRule previous = new PreviousRule();
        StopRule oracle = new OracleRule(HAND_OFF_MILLIS);
        // Variants that show how the shipped behaviour compares; reported, not judged.
        StopRule workerHint = new TimeBudgetRule(Hint.RELAY_WORKER, TimeBudget.DEFAULT_SAFETY_FACTOR);
        List<StopRule> rules = new ArrayList<>(List.of(ours, seed, previous, oracle, workerHint));
        Map<Double, StopRule> tails = new LinkedHashMap<>();
        for (double t : OTHER_TAILS) {
            StopRule r = new TimeBudgetRule(Hint.NONE, TimeBudget.DEFAULT_SAFETY_FACTOR, t);
            tails.put(t, r);
            rules.add(r);
        }

        out.printf(Locale.ROOT, "%,d invocations of %,d ms (hand-off %d ms) per distribution, rule and random seed "
                + "(seeds %s)%n", INVOCATIONS, BUDGET_MILLIS, HAND_OFF_MILLIS, seedList());
        out.printf(Locale.ROOT, "  %-34s %-5s %-42s %12s %24s %10s%n", "distribution", "seed", "rule", "utilisation",
                "timeouts", "units/inv");
        List<String> worseOnBoth = new ArrayList<>();
        for (UnitTimes dist : UnitTimes.values()) {
            Map<StopRule, List<Totals>> results = new LinkedHashMap<>();
            for (long randomSeed : RANDOM_SEEDS) {
                for (StopRule rule : rules) {
                    Totals t = sim.run(rule, dist.source(new Random(randomSeed * 31 + dist.ordinal())), INVOCATIONS);
                    results.computeIfAbsent(rule, r -> new ArrayList<>()).add(t);
                    out.printf(Locale.ROOT, "  %-34s %-5d %-42s %12s %24s %10.1f%s%n", dist.label(), randomSeed,
                            rule.name(), pct(t.utilisation()), timeouts(t), (double) t.units() / t.invocations(),
                            t.gaveUp() > 0 ? "  (gave up " + t.gaveUp() + " times: unit too long)" : "");
                }
            }
            List<Totals> o = results.get(ours);
            double minUtil = dist.heavyTailed() ? MIN_UTILISATION_HEAVY_TAILED : MIN_UTILISATION;
            double worstTimeouts = o.stream().mapToDouble(Totals::timeoutRate).max().orElseThrow();
            double worstUtil = o.stream().mapToDouble(Totals::utilisation).min().orElseThrow();
            String part = "3 TimeBudget";
            table.add(part, dist.label() + ": timeout rate, seeds " + seedList(),
                    o.stream().map(TimeBudgetBenchmark::timeouts).collect(Collectors.joining(", "))
                            + "; seed rule " + pcts2(results.get(seed), Totals::timeoutRate)
                            + "; previous " + pcts2(results.get(previous), Totals::timeoutRate),
                    "<= 0.05%", Verdict.of(worstTimeouts <= MAX_TIMEOUT_RATE));
            table.add(part, dist.label() + ": utilisation, seeds " + seedList(),
                    pcts(o, Totals::utilisation) + "; seed rule " + pcts(results.get(seed), Totals::utilisation)
                            + "; previous " + pcts(results.get(previous), Totals::utilisation)
                            + "; oracle " + pcts(results.get(oracle), Totals::utilisation),
                    ">= " + pct(minUtil), Verdict.of(worstUtil >= minUtil));
            table.add(part, dist.label() + ": hint carried as RelayWorker does: util. / timeouts",
                    pcts(results.get(workerHint), Totals::utilisation) + " / "
                            + pcts2(results.get(workerHint), Totals::timeoutRate), "-", Verdict.INFO);
            for (Map.Entry<Double, StopRule> e : tails.entrySet()) {
                table.add(part, String.format(Locale.ROOT, "%s: tail %.1f sd: util. / timeouts", dist.label(),
                        e.getKey()), pcts(results.get(e.getValue()), Totals::utilisation) + " / "
                                + pcts2(results.get(e.getValue()), Totals::timeoutRate), "-", Verdict.INFO);
            }
            for (int i = 0; i < RANDOM_SEEDS.length; i++) {
                Totals ou = o.get(i);
                Totals s = results.get(seed).get(i);
                if (ou.utilisation() < s.utilisation() && ou.timeoutRate() > s.timeoutRate()) {
                    worseOnBoth.add(dist.label() + " (seed " + RANDOM_SEEDS[i] + ")");
                }
            }
        }
        table.add("3 TimeBudget", "ours worse than the seed rule on both figures at once",
                worseOnBoth.isEmpty() ? "on no distribution and seed" : "on " + String.join(", ", worseOnBoth),
                "never", Verdict.of(worseOnBoth.isEmpty()));
    }

    private static String seedList() {
        StringBuilder b = new StringBuilder();
        for (long s : RANDOM_SEEDS) {
            b.append(b.length() == 0 ? "" : "/").append(s);
        }
        return b.toString();
    }

    /** The rate with its count, so a reader can judge how far the rate is from noise. */
    private static String timeouts(Totals t) {
        return String.format(Locale.ROOT, "%s (%d/%,d)", pct2(t.timeoutRate()), t.timeouts(), t.invocations());
    }

    private static String pcts(List<Totals> ts, ToDoubleFunction<Totals> f) {
        return ts.stream().map(t -> pct(f.applyAsDouble(t))).collect(Collectors.joining("/"));
    }

    private static String pcts2(List<Totals> ts, ToDoubleFunction<Totals> f) {
        return ts.stream().map(t -> pct2(f.applyAsDouble(t))).collect(Collectors.joining("/"));
    }

    private static String pct(double v) {
        return String.format(Locale.ROOT, "%.1f%%", v * 100);
    }

    private static String pct2(double v) {
        return String.format(Locale.ROOT, "%.2f%%", v * 100);
    }
}
