package io.lambdarelay.examples.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The main-job runner as a user meets it: its flags, its verdict, its exit status and what it
 * prints, the last two checked on a real process.
 */
class RunExamplesTest {

    private static RunExamples.Settings parse(String... args) throws RunExamples.BadFlagException {
        return RunExamples.Settings.parse(args);
    }

    private static String refusal(String... args) {
        return assertThrows(RunExamples.BadFlagException.class, () -> parse(args)).getMessage();
    }

    @Test
    void flags_areReadAsDashDOrDoubleDash_andSizeTheRuns() throws Exception {
        RunExamples.Settings s = parse("-Dexample=pager", "--rows=1_000", "-DpageSize=100", "-DpagerTimeout=1.5",
                "--calls=500", "-Dparts=5", "-Dconcurrency=3", "-Drate=50");

        assertEquals("pager", s.example);
        assertEquals(1_000, s.pager.rows());
        assertEquals(100, s.pager.pageSize());
        assertEquals(Duration.ofMillis(1_500), s.pager.workerTimeout());
        assertEquals(500, s.vendor.calls());
        assertEquals(5, s.vendor.parts());
        assertEquals(3, s.vendor.concurrency());
        assertEquals(50, s.vendor.vendorLimit());
        assertEquals(50, s.vendor.relayRate(), "relayRate defaults to rate");
        assertNull(parse("--help"), "help is asked for");
        assertFalse(s.pooled, "each relay on a queue of its own unless asked");
        assertTrue(parse("--mode=pool").pooled);
    }

    @Test
    void badFlags_areRefusedWithOneSentenceNamingTheFlagAndValue() {
        assertEquals("-Drows must be a whole number from 1, got '-5'", refusal("-Drows=-5"));
        assertEquals("-Drows must be a whole number from 1, got '0'", refusal("-Drows=0"));
        assertEquals("-Drows must be a whole number, got 'abc'", refusal("-Drows=abc"));
        assertEquals("-Dcalls must be a whole number from 1, got '0'", refusal("--calls=0"));
        assertEquals("-Dparts must be a whole number from 1 to 10, got '11'", refusal("-Dcalls=10", "-Dparts=11"));
        assertEquals("-Drate must be a number above 0, got '-1'", refusal("-Drate=-1"));
        assertEquals("-DpageCostMs must be zero or more, got '-3'", refusal("-DpageCostMs=-3"));
        assertEquals("-DvendorTimeout must be a Lambda timeout in seconds, above 0 and at most 900, got '901'",
                refusal("-DvendorTimeout=901"));
        assertEquals("-Dconcurrency must be between 2 and 1000 (Lambda's MaximumConcurrency), got '1'",
                refusal("-Dconcurrency=1"));
        assertEquals("-Dexample must be all, pager or vendor, got 'both'", refusal("-Dexample=both"));
        assertEquals("-Dmode must be queue or pool, got 'shared'", refusal("-Dmode=shared"));
        assertTrue(refusal("-Dfoo=1").startsWith("unknown flag 'foo'; known flags: example, rows,"));
        assertTrue(refusal("rows=5").startsWith("cannot read 'rows=5'; give flags as -Dname=value"));
    }

    @Test
    void verdict_namesEachFailedRuleWithItsNumbers_andTimeoutsAreNoRule() {
        List<Check> checks = List.of(new Check("exact totals", true, "16 categories"),
                new Check("dead-letter queues empty", false, "2 message(s) in dead-letter queues"),
                new Check("nothing left behind", false, "1 queue(s), 0 event-source mapping(s) left"));

        assertFalse(Check.allPassed(checks));
        assertEquals("dead-letter queues empty (2 message(s) in dead-letter queues); nothing left behind "
                + "(1 queue(s), 0 event-source mapping(s) left)", Check.failures(checks));
        PagerRun.Result recovered = new PagerRun.Result(true, 10, 1, 2, 4, 3, 1, 0, 0, 0,
                List.of(new Check("exact totals", true, "")), List.of());
        assertTrue(recovered.passed(), "a timeout the relay recovered from is reported, not failed");
    }

    @Test
    void badFlag_inARealProcess_printsOneLineOnStderr_andExitsWithStatus2(@TempDir Path dir) throws Exception {
        Run run = Run.of(dir, "-Drows=-5");

        assertEquals(2, run.exit);
        assertEquals("", run.stdout);
        assertEquals(List.of("run-examples: -Drows must be a whole number from 1, got '-5'"), run.stderr.lines().toList());
    }

    @Test
    void smallRunOfBothExamples_passesFirstTime_withNoWarningOrExceptionInItsOutput(@TempDir Path dir)
            throws Exception {
        Run run = Run.of(dir, "-Drows=20000", "-DpageSize=500", "-DpageCostMs=5", "-DpagerTimeout=1",
                "-Dcalls=2000", "-Drate=1000", "-Dparts=4", "-Dconcurrency=2");
        String all = run.stdout + run.stderr;
        System.out.print(all); // kept in target/surefire-reports/*-output.txt

        assertEquals(0, run.exit, all);
        assertTrue(run.stdout.contains("pager  PASSED (5 checks)"), all);
        assertTrue(run.stdout.contains("vendor PASSED (6 checks)"), all);
        assertEquals(2, run.stdout.lines().filter(l -> l.startsWith("  cost ") && l.contains(" GB-s ")
                && l.contains(" SQS requests") && l.contains("about $")).count(), "a cost line per example: " + all);
        assertTrue(run.stdout.contains("ALL CHECKS PASSED in "), all);
        for (String noise : List.of("WARN", "ERROR", "Exception", "unavailable", "\tat ")) {
            assertFalse(all.contains(noise), "'" + noise + "' in a passing run: " + all);
        }
    }

    /** RunExamples in a JVM of its own, on this test's classpath, logging as relay-examples/run does. */
    private record Run(int exit, String stdout, String stderr) {
        static Run of(Path dir, String... args) throws IOException, InterruptedException {
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                    .toString(), "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp",
                    System.getProperty("java.class.path"), RunExamples.class.getName()));
            command.addAll(List.of(args));
            Path out = dir.resolve("out.txt");
            Path err = dir.resolve("err.txt");
            Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(5, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new AssertionError("RunExamples did not end within 5 minutes: " + Files.readString(out));
            }
            return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        }
    }
}
