package io.lambdarelay.benchmarks;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/**
 * Runs the benchmarks of docs/benchmarks.md and prints their table.
 *
 * <p>Arguments: the parts to run ({@code handoff}, {@code budget}, {@code coldstart},
 * {@code footprint}); none runs them all.
 */
public final class RunBenchmarks {
    private static final Set<String> PARTS = Set.of("handoff", "budget", "coldstart", "footprint");

    private RunBenchmarks() {
    }

    /**
     * Runs the benchmarks.
     *
     * @param args the parts to run; none for all
     * @throws Exception if a benchmark cannot run at all
     */
    public static void main(String[] args) throws Exception {
        // ElasticMQ logs its start-up at INFO; only problems belong in a benchmark's output.
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        Set<String> parts = new LinkedHashSet<>(Arrays.asList(args));
        for (String p : parts) {
            if (!PARTS.contains(p)) {
                System.err.println("unknown part '" + p + "'; choose from " + PARTS + ", or none for all");
                System.exit(2);
            }
        }
        if (parts.isEmpty()) {
            parts.addAll(PARTS);
        }
        PrintStream out = System.out;
        long start = System.nanoTime();
        out.println("Lambda Relay benchmarks");
        out.println("machine: " + Machine.describe());
        out.println("load average at start: " + Machine.loadAverage());
        ResultTable table = new ResultTable();

        if (parts.contains("handoff")) {
            section(out, "1 hand-off overhead: relayPass against SqsClient.sendMessage");
            HandoffBenchmark.run(table, out);
        }
        // Part 2 waits for the batched fan-out API (issue 6); it gets a row so the gap stays visible.
        table.add("2 fan-out", "SQS calls per part; wall time against single sends",
                "not yet measured: batched fan-out (issue 6) not built yet", "<= 0.1; >= 5x", Verdict.NOT_MEASURED);
        if (parts.contains("budget")) {
            section(out, "3 TimeBudget against the seed's rule (simulated)");
            TimeBudgetBenchmark.run(table, out);
        }
        if (parts.contains("coldstart")) {
            section(out, "4 cold start: fresh JVM, Relay.create() + relayPass against SqsClient.create() + sendMessage");
            ColdStartBenchmark.run(table, out);
        }
        if (parts.contains("footprint")) {
            section(out, "4 footprint: relay-core jar and runtime dependencies");
            FootprintBenchmark.run(table, out);
        }
        // Part 5 waits for relay-local's Lambda endpoint and ESM poller, being built separately.
        table.add("5 local stack", "median hop latency; 1,000-hop chain time",
                "not yet measured: relay-local not built yet", "-", Verdict.NOT_MEASURED);

        out.println();
        out.println("load average at end: " + Machine.loadAverage());
        section(out, "results");
        table.print(out);
        out.printf(Locale.ROOT, "%d PASS, %d MISS, %d not yet measured; run took %.0f s%n", table.count(Verdict.PASS),
                table.count(Verdict.MISS), table.count(Verdict.NOT_MEASURED), (System.nanoTime() - start) / 1e9);
    }

    private static void section(PrintStream out, String title) {
        out.println();
        out.println("== " + title);
    }
}
