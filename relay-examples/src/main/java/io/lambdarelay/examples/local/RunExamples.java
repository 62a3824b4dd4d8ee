package io.lambdarelay.examples.local;

import static io.lambdarelay.examples.local.LocalJob.secs;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The README's main-job command ({@code relay-examples/run}): runs the pager and the vendor
 * fan-out on {@code LocalAws} with a progress line a second and a closing summary. Exits with
 * status 0 when every check passed, 1 when one failed (the verdict names each failed rule and its
 * numbers), and 2 on a bad flag (one line on standard error).
 *
 * <p>Flags, as {@code -Dname=value} or {@code --name=value} arguments (or JVM system properties):
 * {@code example} ({@code all}, {@code pager} or {@code vendor}); {@code rows}, {@code pageSize},
 * {@code pageCostMs}, {@code pagerTimeout} (seconds) for the pager; {@code calls}, {@code rate}
 * (the vendor's limit, calls per second), {@code relayRate} (default: {@code rate}),
 * {@code parts}, {@code concurrency}, {@code vendorTimeout} (seconds), {@code adaptive}
 * ({@code true}: the relay finds the vendor's limit from its 429s, starting at {@code relayRate})
 * for the vendor; {@code mode} ({@code queue}: each relay on a queue and mapping of its own, or
 * {@code pool}: in the worker's pool) for both.
 */
public final class RunExamples {
    private static final List<String> FLAGS = List.of("example", "rows", "pageSize", "pageCostMs", "pagerTimeout",
            "calls", "rate", "relayRate", "parts", "concurrency", "vendorTimeout", "adaptive", "mode");
    private static final double MAX_TIMEOUT_SECONDS = 900;

    private RunExamples() {
    }

    /** A flag that cannot be used; its message is the one line the run prints. */
    static final class BadFlagException extends Exception {
        private static final long serialVersionUID = 1L;

        BadFlagException(String message) {
            super(message);
        }
    }

    /**
     * Runs the examples.
     *
     * @param args flags, {@code -Dname=value} or {@code --name=value}
     * @throws Exception if a run cannot start
     */
    public static void main(String[] args) throws Exception {
        Settings settings;
        try {
            settings = Settings.parse(args);
        } catch (BadFlagException e) {
            System.err.println("run-examples: " + e.getMessage());
            System.exit(2);
            return;
        }
        if (settings == null) {
            System.out.println(usage());
            return;
        }
        System.exit(run(settings, System.out) ? 0 : 1);
    }

    static String usage() {
        return "usage: relay-examples/run [-Dname=value | --name=value ...]\n"
                + "  example=all|pager|vendor   which example to run (all)\n"
                + "  rows, pageSize, pageCostMs, pagerTimeout (s)   the pager's size, page, work per page, worker "
                + "timeout\n"
                + "  calls, rate, relayRate, parts, concurrency, vendorTimeout (s)   the vendor fan-out's calls, "
                + "limit (calls/s), pacing, parts, workers at once, worker timeout\n"
                + "  adaptive=true|false   the relay finds the vendor's limit from its 429s, starting at relayRate (false)\n"
                + "  mode=queue|pool   each relay on a queue and mapping of its own, or in the worker's pool (queue)";
    }

    /**
     * Runs what the settings ask for and prints the verdict.
     *
     * @return whether every check passed
     */
    static boolean run(Settings s, PrintStream out) throws Exception {
        // The JDK's HTTP server (LocalAws's Lambda endpoint) otherwise answers each call about 40 ms
        // late on loopback (a delayed ACK); it reads the setting when the first server starts.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        long started = System.nanoTime();
        List<String> verdicts = new ArrayList<>();
        boolean passed = true;
        out.println("Lambda Relay examples on LocalAws (embedded SQS, local Lambda endpoint); example=" + s.example
                + ", mode=" + (s.pooled ? "pool" : "queue"));
        if (!s.example.equals("vendor")) {
            out.println();
            PagerRun.Result r = new PagerRun(s.pager, s.pooled).run(out);
            passed &= r.passed();
            verdicts.add(verdict("pager ", r.checks()));
        }
        if (!s.example.equals("pager")) {
            out.println();
            VendorRun.Result r = new VendorRun(s.vendor, s.pooled).run(out);
            passed &= r.passed();
            verdicts.add(verdict("vendor", r.checks()));
        }
        out.println();
        verdicts.forEach(out::println);
        out.println((passed ? "ALL CHECKS PASSED" : "SOME CHECKS FAILED") + " in " + secs(System.nanoTime() - started));
        out.flush();
        return passed;
    }

    private static String verdict(String name, List<Check> checks) {
        return Check.allPassed(checks) ? name + " PASSED (" + checks.size() + " checks)"
                : name + " FAILED: " + Check.failures(checks);
    }

    /** The validated flags. */
    static final class Settings {
        final String example;
        final PagerRun.Options pager;
        final VendorRun.Options vendor;
        final boolean pooled;

        private Settings(String example, PagerRun.Options pager, VendorRun.Options vendor, boolean pooled) {
            this.example = example;
            this.pager = pager;
            this.vendor = vendor;
            this.pooled = pooled;
        }

        /**
         * Reads the flags from {@code args}, then from system properties for those not given.
         *
         * @return the settings, or null when help was asked for
         * @throws BadFlagException naming the flag, the value and what it must be
         */
        static Settings parse(String[] args) throws BadFlagException {
            Map<String, String> given = new LinkedHashMap<>();
            for (String arg : args) {
                if (arg.equals("-h") || arg.equals("--help") || arg.equals("help")) {
                    return null;
                }
                String body = arg.startsWith("-D") ? arg.substring(2) : arg.startsWith("--") ? arg.substring(2) : null;
                int eq = body == null ? -1 : body.indexOf('=');
                if (eq <= 0) {
                    throw new BadFlagException("cannot read '" + arg + "'; give flags as -Dname=value or "
                            + "--name=value, e.g. -Drows=1000 (--help lists them)");
                }
                String name = body.substring(0, eq);
                if (!FLAGS.contains(name)) {
                    throw new BadFlagException("unknown flag '" + name + "'; known flags: " + String.join(", ", FLAGS));
                }
                given.put(name, body.substring(eq + 1));
            }
            for (String name : FLAGS) {
                String v = System.getProperty(name);
                // An empty value, or one Maven left unresolved, means "not given".
                if (!given.containsKey(name) && v != null && !v.isBlank() && !v.startsWith("${")) {
                    given.put(name, v);
                }
            }
            Flags f = new Flags(given);
            String example = f.text("example", "all").toLowerCase(Locale.ROOT);
            if (!List.of("all", "pager", "vendor").contains(example)) {
                throw new BadFlagException("-Dexample must be all, pager or vendor, got '" + example + "'");
            }
            PagerRun.Options pd = PagerRun.Options.defaults();
            PagerRun.Options pager = PagerRun.Options.sized(f.positiveLong("rows", pd.rows()),
                    (int) f.positiveLong("pageSize", pd.pageSize(), Integer.MAX_VALUE),
                    f.nonNegativeLong("pageCostMs", pd.pageCostMillis()),
                    f.seconds("pagerTimeout", pd.workerTimeout()));
            int calls = (int) f.positiveLong("calls", 40_000, Integer.MAX_VALUE);
            double rate = f.positiveNumber("rate", 2_500);
            VendorRun.Options vd = VendorRun.Options.matched(calls, rate);
            int parts = (int) f.positiveLong("parts", vd.parts(), calls);
            long concurrency = f.positiveLong("concurrency", vd.concurrency(), 1000);
            if (concurrency < 2) {
                throw new BadFlagException("-Dconcurrency must be between 2 and 1000 (Lambda's MaximumConcurrency), "
                        + "got '" + given.get("concurrency") + "'");
            }
            String adaptive = f.text("adaptive", "false").toLowerCase(Locale.ROOT);
            if (!List.of("true", "false").contains(adaptive)) {
                throw new BadFlagException("-Dadaptive must be true or false, got '" + adaptive + "'");
            }
            VendorRun.Options vendor = new VendorRun.Options(calls, parts, (int) concurrency, rate,
                    f.positiveNumber("relayRate", rate), adaptive.equals("true"),
                    f.seconds("vendorTimeout", vd.workerTimeout()), vd.maxWait());
            String mode = f.text("mode", "queue").toLowerCase(Locale.ROOT);
            if (!List.of("queue", "pool").contains(mode)) {
                throw new BadFlagException("-Dmode must be queue or pool, got '" + mode + "'");
            }
            return new Settings(example, pager, vendor, mode.equals("pool"));
        }
    }

    /** Typed reads of the given flags, each refusing a bad value with the flag's name and value. */
    private static final class Flags {
        private final Map<String, String> given;

        Flags(Map<String, String> given) {
            this.given = given;
        }

        String text(String name, String dflt) {
            String v = given.get(name);
            return v == null ? dflt : v.trim();
        }

        long positiveLong(String name, long dflt) throws BadFlagException {
            return positiveLong(name, dflt, Long.MAX_VALUE);
        }

        long positiveLong(String name, long dflt, long max) throws BadFlagException {
            long v = wholeNumber(name, dflt);
            if (v < 1 || v > max) {
                throw new BadFlagException("-D" + name + " must be a whole number from 1"
                        + (max >= Integer.MAX_VALUE ? "" : " to " + max) + ", got '" + given.get(name) + "'");
            }
            return v;
        }

        long nonNegativeLong(String name, long dflt) throws BadFlagException {
            long v = wholeNumber(name, dflt);
            if (v < 0) {
                throw new BadFlagException("-D" + name + " must be zero or more, got '" + given.get(name) + "'");
            }
            return v;
        }

        double positiveNumber(String name, double dflt) throws BadFlagException {
            String v = given.get(name);
            if (v == null) {
                return dflt;
            }
            double d;
            try {
                d = Double.parseDouble(clean(v));
            } catch (NumberFormatException e) {
                throw new BadFlagException("-D" + name + " must be a number, got '" + v + "'");
            }
            if (!(d > 0) || Double.isInfinite(d)) {
                throw new BadFlagException("-D" + name + " must be a number above 0, got '" + v + "'");
            }
            return d;
        }

        Duration seconds(String name, Duration dflt) throws BadFlagException {
            if (!given.containsKey(name)) {
                return dflt;
            }
            double s = positiveNumber(name, 0);
            if (s > MAX_TIMEOUT_SECONDS || s < 0.001) {
                throw new BadFlagException("-D" + name + " must be a Lambda timeout in seconds, above 0 and at most "
                        + (long) MAX_TIMEOUT_SECONDS + ", got '" + given.get(name) + "'");
            }
            return Duration.ofMillis(Math.round(s * 1000));
        }

        private long wholeNumber(String name, long dflt) throws BadFlagException {
            String v = given.get(name);
            if (v == null) {
                return dflt;
            }
            try {
                return Long.parseLong(clean(v));
            } catch (NumberFormatException e) {
                throw new BadFlagException("-D" + name + " must be a whole number, got '" + v + "'");
            }
        }

        private static String clean(String v) {
            return v.trim().replace("_", "").replace(",", "");
        }
    }
}
