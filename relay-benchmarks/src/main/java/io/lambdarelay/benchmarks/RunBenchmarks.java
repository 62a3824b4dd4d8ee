package io.lambdarelay.benchmarks;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Runs the benchmarks of docs/benchmarks.md and prints their table.
 *
 * <p>Arguments: the parts to run ({@code handoff}, {@code fanout}, {@code budget}, {@code coldstart},
 * {@code footprint}, {@code localstack}, {@code teststack}, {@code deadline}, {@code pool}); none runs
 * them all.
 */
public final class RunBenchmarks {
    private static final List<String> PARTS = List.of("handoff", "fanout", "budget", "coldstart", "footprint",
            "localstack", "teststack", "deadline", "pool");

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
        if (parts.contains("fanout")) {
            section(out, "2 fan-out: relayPassAll of 10,000 parts against 10,000 relayPass calls");
            FanOutBenchmark.run(table, out);
        }
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
        if (parts.contains("localstack")) {
            section(out, "5 local stack: a RelayWorker chain on relay-local, one unit per hop");
            LocalStackBenchmark.run(table, out);
        }
        if (parts.contains("teststack")) {
            section(out, "6 test stack: LocalAws start and close, and a user's 100-hop relay test, in fresh JVMs");
            TestStackBenchmark.run(table, out);
        }
        if (parts.contains("deadline")) {
            section(out, "7 deadline hand-off: a 3,000-unit chain whose hanging units would time out");
            DeadlineBenchmark.run(table, out);
        }
        if (parts.contains("pool")) {
            section(out, "9 pool: 1,000 relays started at 100/s into one pool, and per-relay mode at that rate");
            PoolBenchmark.run(table, out);
        }

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
