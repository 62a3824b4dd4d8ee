package io.lambdarelay.examples.local;

import static io.lambdarelay.examples.local.LocalJob.secs;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The README's main-job command: runs the pager and the vendor fan-out on {@code LocalAws} with a
 * progress line a second and a closing summary, and exits with status 1 if a check fails.
 *
 * <p>System properties: {@code example} ({@code all}, {@code pager} or {@code vendor}),
 * {@code rows}, {@code pageSize}, {@code pageCostMs}, {@code pagerTimeout} (seconds) for the
 * pager; {@code calls}, {@code rate} (the vendor's limit, calls per second), {@code relayRate}
 * (default: {@code rate}), {@code parts}, {@code concurrency}, {@code vendorTimeout} (seconds) for
 * the vendor.
 */
public final class RunExamples {
    private RunExamples() {
    }

    /**
     * Runs the examples.
     *
     * @param args ignored; settings come from system properties
     * @throws Exception if a run cannot start
     */
    public static void main(String[] args) throws Exception {
        // The JDK's HTTP server (LocalAws's Lambda endpoint) otherwise answers each call about 40 ms
        // late on loopback (a delayed ACK); it reads the setting when the first server starts.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        PrintStream out = System.out;
        String example = System.getProperty("example", "all").trim().toLowerCase(Locale.ROOT);
        if (!List.of("all", "pager", "vendor").contains(example)) {
            System.err.println("example must be all, pager or vendor, got '" + example + "'");
            System.exit(2);
        }
        long started = System.nanoTime();
        List<String> verdicts = new ArrayList<>();
        boolean passed = true;
        out.println("Lambda Relay examples on LocalAws (embedded SQS, local Lambda endpoint); example=" + example);
        if (!example.equals("vendor")) {
            PagerRun.Options d = PagerRun.Options.defaults();
            PagerRun.Options o = PagerRun.Options.sized(longProp("rows", d.rows()),
                    (int) longProp("pageSize", d.pageSize()), longProp("pageCostMs", d.pageCostMillis()),
                    Duration.ofMillis((long) (1000 * doubleProp("pagerTimeout", d.workerTimeout().toMillis() / 1000.0))));
            out.println();
            PagerRun.Result r = new PagerRun(o).run(out);
            passed &= r.passed();
            verdicts.add("pager  " + (r.passed() ? "PASSED" : "FAILED") + "  " + r.summary().get(0).substring(20));
        }
        if (!example.equals("pager")) {
            int calls = (int) longProp("calls", 40_000);
            double rate = doubleProp("rate", 2_500);
            VendorRun.Options d = VendorRun.Options.matched(calls, rate);
            VendorRun.Options o = new VendorRun.Options(calls, (int) longProp("parts", d.parts()),
                    (int) longProp("concurrency", d.concurrency()), rate, doubleProp("relayRate", rate),
                    Duration.ofMillis((long) (1000 * doubleProp("vendorTimeout", d.workerTimeout().toMillis() / 1000.0))),
                    d.maxWait());
            out.println();
            VendorRun.Result r = new VendorRun(o).run(out);
            passed &= r.passed();
            verdicts.add("vendor " + (r.passed() ? "PASSED" : "FAILED") + "  " + r.summary().get(0).substring(20));
        }
        out.println();
        verdicts.forEach(out::println);
        out.println((passed ? "ALL CHECKS PASSED" : "SOME CHECKS FAILED") + " in " + secs(System.nanoTime() - started));
        out.flush();
        System.exit(passed ? 0 : 1);
    }

    private static long longProp(String name, long defaultValue) {
        String v = System.getProperty(name);
        if (v == null || v.isBlank() || v.startsWith("${")) {
            return defaultValue;
        }
        try {
            return Long.parseLong(v.trim().replace("_", "").replace(",", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-D" + name + " must be a whole number, got '" + v + "'", e);
        }
    }

    private static double doubleProp(String name, double defaultValue) {
        String v = System.getProperty(name);
        if (v == null || v.isBlank() || v.startsWith("${")) {
            return defaultValue;
        }
        try {
            return Double.parseDouble(v.trim().replace("_", "").replace(",", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-D" + name + " must be a number, got '" + v + "'", e);
        }
    }
}
