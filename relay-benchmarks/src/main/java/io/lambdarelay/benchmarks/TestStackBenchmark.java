package io.lambdarelay.benchmarks;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Part 6: the test stack as a user's build meets it, in fresh JVMs. First, {@link LocalAwsLifecycle}
 * ten times: the first {@code LocalAws.start()} and {@code close()} of a JVM (around a 20-hop
 * relay), and a second pair. Then a JUnit class with a 100-hop relay through
 * {@code LocalAwsExtension} (relay-benchmarks' {@code HundredHopRelayTest}) five times through the
 * JUnit Platform launcher, timed from the launcher's start to its end.
 */
final class TestStackBenchmark {
    static final int LIFECYCLE_RUNS = 10;
    static final int USER_TEST_RUNS = 5;
    static final double MAX_START_MILLIS = 2_000;
    static final double MAX_CLOSE_MILLIS = 2_000;
    static final double MAX_USER_TEST_MILLIS = 5_000;
    private static final long CHILD_TIMEOUT_SECONDS = 180;

    private TestStackBenchmark() {
    }

    static void run(ResultTable table, PrintStream out) throws IOException, InterruptedException {
        String runnerClasspath = BuildOutput.runnerLocation() + File.pathSeparator
                + BuildOutput.runnerLocation().getParent().resolve("lib").resolve("*");
        double[][] lifecycle = new double[4][LIFECYCLE_RUNS];
        for (int i = 0; i < LIFECYCLE_RUNS; i++) {
            Child c = spawn(runnerClasspath, LocalAwsLifecycle.class.getName(), LocalAwsLifecycle.PREFIX);
            String[] f = c.report().split(" ");
            for (int k = 0; k < 4; k++) {
                lifecycle[k][i] = Double.parseDouble(f[k]);
            }
        }
        String[] names = {"first start() of a JVM", "first close() of a JVM", "second start()", "second close()"};
        for (int k = 0; k < 4; k++) {
            out.printf(Locale.ROOT, "  LocalAws %-24s median %5.0f ms (min %5.0f, max %5.0f) over %d fresh JVMs: %s%n",
                    names[k], Stats.median(lifecycle[k]), Stats.percentile(lifecycle[k], 0),
                    Stats.percentile(lifecycle[k], 100), LIFECYCLE_RUNS, Arrays.toString(lifecycle[k]));
        }
        double start = Stats.median(lifecycle[0]);
        double close = Stats.median(lifecycle[1]);
        table.add("6 test stack", "LocalAws.start(), first in a fresh JVM, median of " + LIFECYCLE_RUNS,
                String.format(Locale.ROOT, "%.0f ms (second start %.0f ms)", start, Stats.median(lifecycle[2])),
                String.format(Locale.ROOT, "< %.0f ms", MAX_START_MILLIS), Verdict.of(start < MAX_START_MILLIS));
        table.add("6 test stack", "LocalAws.close() after a relay, median of " + LIFECYCLE_RUNS,
                String.format(Locale.ROOT, "%.0f ms (second close %.0f ms)", close, Stats.median(lifecycle[3])),
                String.format(Locale.ROOT, "< %.0f ms", MAX_CLOSE_MILLIS), Verdict.of(close < MAX_CLOSE_MILLIS));

        String testClasspath = BuildOutput.testClasspath();
        double[] test = new double[USER_TEST_RUNS];
        double[] jvm = new double[USER_TEST_RUNS];
        for (int i = 0; i < USER_TEST_RUNS; i++) {
            Child c = spawn(testClasspath, "io.lambdarelay.benchmarks.UserTestTiming", "USERTEST ");
            String[] f = c.report().split(" ");
            if (!f[1].equals("1") || !f[2].equals("0")) {
                throw new IllegalStateException("HundredHopRelayTest did not pass in a fresh JVM: " + c.report()
                        + "\n" + c.stderr());
            }
            test[i] = Double.parseDouble(f[0]);
            jvm[i] = c.wallMillis();
        }
        double median = Stats.median(test);
        out.printf(Locale.ROOT, "  JUnit class with a 100-hop relay through LocalAwsExtension, launcher start to end: "
                + "median %.0f ms (min %.0f, max %.0f) over %d fresh JVMs: %s; whole JVM median %.0f ms%n", median,
                Stats.percentile(test, 0), Stats.percentile(test, 100), USER_TEST_RUNS, Arrays.toString(test),
                Stats.median(jvm));
        table.add("6 test stack", "JUnit test of a 100-hop relay via LocalAwsExtension, start and close included, "
                + "median of " + USER_TEST_RUNS, String.format(Locale.ROOT, "%.0f ms (whole JVM %.0f ms)", median,
                Stats.median(jvm)), String.format(Locale.ROOT, "< %.0f ms", MAX_USER_TEST_MILLIS),
                Verdict.of(median < MAX_USER_TEST_MILLIS));
    }

    /** A child's report line (without its prefix), its stderr and the parent's wall time for it. */
    record Child(String report, String stderr, double wallMillis) {
    }

    private static Child spawn(String classpath, String main, String prefix) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp", classpath, main));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().keySet().removeIf(k -> k.startsWith("AWS_"));
        Path stderr = Files.createTempFile("relay-bench-child", ".txt");
        pb.redirectError(stderr.toFile());
        long t0 = System.nanoTime();
        Process p = pb.start();
        String report = null;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.startsWith(prefix)) {
                    report = line.substring(prefix.length());
                }
            }
        }
        if (!p.waitFor(CHILD_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(main + " did not exit within " + CHILD_TIMEOUT_SECONDS + " s");
        }
        double wall = (System.nanoTime() - t0) / 1e6;
        String err = Files.readString(stderr);
        Files.deleteIfExists(stderr);
        if (p.exitValue() != 0 || report == null) {
            throw new IllegalStateException(main + " failed with exit code " + p.exitValue() + ":\n" + err);
        }
        return new Child(report, err, wall);
    }
}
