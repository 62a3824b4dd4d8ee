package io.lambdarelay.examples.local;

import static io.lambdarelay.examples.local.LocalJob.n;
import static io.lambdarelay.examples.local.LocalJob.secs;

import io.lambdarelay.Relay;
import io.lambdarelay.RelayCost;
import io.lambdarelay.RelayPacket;
import io.lambdarelay.examples.vendor.VendorStart;
import io.lambdarelay.examples.vendor.VendorWorker;
import io.lambdarelay.ledger.InMemoryRelayLedger;
import io.lambdarelay.ledger.PooledRelay;
import io.lambdarelay.ledger.PartTally;
import io.lambdarelay.local.IdleTimeoutException;
import io.lambdarelay.local.LocalAws;
import io.lambdarelay.local.LocalStats;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The vendor example on {@code LocalAws}: starts a local vendor API with a rate limit, fans the
 * calls out through the start handler, prints a progress line a second, and checks that every call
 * id got exactly one 200.
 */
public final class VendorRun {
    /** Worker function name on the local stack. */
    public static final String WORKER = "vendor-worker";
    /** Start function name on the local stack. */
    public static final String START = "vendor-start";

    /**
     * What to run.
     *
     * @param calls call ids {@code 0 .. calls-1}
     * @param parts parts of the fan-out
     * @param concurrency the mapping's maximum concurrency
     * @param vendorLimit calls per second the vendor allows
     * @param relayRate calls per second the relay paces to; above {@code vendorLimit} provokes 429s;
     *     with {@code adaptive}, where the relay starts
     * @param adaptive whether the relay finds the vendor's limit from its 429s instead of keeping to
     *     {@code relayRate}
     * @param workerTimeout the worker function's timeout
     * @param maxWait how long the job may take before the run gives up
     */
    public record Options(int calls, int parts, int concurrency, double vendorLimit, double relayRate,
            boolean adaptive, Duration workerTimeout, Duration maxWait) {
        /**
         * The main command's defaults: 40 parts, 10 at once, 3 s worker timeout, the relay paced to
         * the vendor's limit, and three times the job's ideal time (at least ten minutes) to finish.
         *
         * @param calls call ids
         * @param limit the vendor's limit, calls per second
         * @return the options
         */
        public static Options matched(int calls, double limit) {
            return new Options(calls, Math.min(40, calls), 10, limit, limit, false, Duration.ofSeconds(3),
                    Duration.ofSeconds(Math.max(600, (long) (3 * calls / limit))));
        }
    }

    /**
     * What happened.
     *
     * @param calls call ids
     * @param requests requests the vendor received
     * @param ok requests answered 200
     * @param throttled requests answered 429
     * @param lost call ids never answered 200
     * @param duplicates 200s beyond the first per call id
     * @param achievedRate 200s per second, first to last
     * @param partsDone parts the ledger counted as done
     * @param partsFailed parts the ledger counted as failed
     * @param hops messages sent to the relay queue: the parts' first packets, hand-offs, back-offs
     * @param invocations all invocations, start included
     * @param timeouts invocations that overran their timeout
     * @param dlqMessages messages left in dead-letter queues
     * @param leftoverQueues queues left after the run
     * @param leftoverMappings event-source mappings left after the run
     * @param checks the verdict's rules; a timeout the relay recovered from is not one of them
     * @param summary the closing summary's lines
     */
    public record Result(long calls, long requests, long ok, long throttled, long lost, long duplicates,
            double achievedRate, long partsDone, long partsFailed, long hops, long invocations, long timeouts,
            long dlqMessages, long leftoverQueues, long leftoverMappings, List<Check> checks, List<String> summary) {
        /** {@return whether every check passed} */
        public boolean passed() {
            return Check.allPassed(checks);
        }
    }

    private final Options options;
    private final boolean pooled;

    /**
     * Creates a run.
     *
     * @param options what to run
     */
    public VendorRun(Options options) {
        this(options, false);
    }

    /**
     * Creates a run in either mode.
     *
     * @param options what to run
     * @param pooled {@code true} to run the relay in the worker's pool (pooled mode), {@code false}
     *     on a queue and mapping of its own
     */
    public VendorRun(Options options, boolean pooled) {
        this.options = options;
        this.pooled = pooled;
    }

    /**
     * Runs the example.
     *
     * @param out where progress and the summary go
     * @return what happened
     */
    public Result run(PrintStream out) {
        long started = System.nanoTime();
        out.println("vendor: " + n(options.calls()) + " calls to a local API allowing " + rate(options.vendorLimit())
                + "/s (429 above), " + options.parts() + " parts, " + options.concurrency() + " workers at once, "
                + (options.adaptive() ? "relay finding the limit from " + rate(options.relayRate()) + "/s on"
                        : "relay paced to " + rate(options.relayRate()) + "/s") + ", worker timeout "
                + options.workerTimeout().toMillis() / 1000.0 + " s");
        LocalAws aws = LocalAws.start();
        try (LocalVendorApi vendor = new LocalVendorApi(options.calls(), options.vendorLimit())) {
            LocalJob job = new LocalJob(aws);
            InMemoryRelayLedger ledger = new InMemoryRelayLedger();
            Relay relay = Relay.builder().sqsClient(aws.sqsClient()).lambdaClient(aws.lambdaClient())
                    .ledger(ledger).build();
            aws.registerFunction(WORKER, options.workerTimeout(), new VendorWorker(relay, vendor.uri()));
            job.registerStart(START, new VendorStart(relay, WORKER, options.vendorLimit()));

            long jobStart = System.nanoTime();
            Map<String, Object> started0 = job.invokeStart(START, Map.of("calls", options.calls(),
                    "parts", options.parts(), "concurrency", options.concurrency(), "rate", options.relayRate(),
                    "adaptive", options.adaptive() ? 1 : 0, "pooled", pooled ? 1 : 0));
            String relayId = (String) started0.get("relayId");
            RelayPacket pkt = RelayPacket.fromJson((String) started0.get("packet"));
            String queue = LocalJob.queueName(pkt.queueUrl());
            AtomicLong lastOk = new AtomicLong();
            AtomicLong lastTick = new AtomicLong(jobStart);
            String gaveUp = null;
            LocalJob.Ticker ticker = new LocalJob.Ticker(out, () -> {
                PartTally p = LocalJob.progress(pkt, ledger);
                LocalStats s = aws.stats();
                long now = System.nanoTime();
                long ok = vendor.ok();
                double rate = (ok - lastOk.getAndSet(ok)) * 1e9 / Math.max(1, now - lastTick.getAndSet(now));
                return String.format(Locale.ROOT, "[vendor] %5.1f s  hops %5d  calls %,7d/%,d  %,7.0f calls/s "
                        + "(limit %,.0f)  429s %,5d  parts done %d/%d  invocations %5d", (now - jobStart) / 1e9,
                        s.messagesSent(queue), ok, options.calls(), rate, options.vendorLimit(), vendor.throttled(),
                        p.done(), options.parts(), s.invocations());
            });
            try (ticker) {
                aws.awaitIdle(options.maxWait());
            } catch (IdleTimeoutException e) {
                gaveUp = "gave up waiting after " + secs(options.maxWait().toNanos()) + ": " + e.getMessage();
            }
            long jobEnd = System.nanoTime();

            var tally = ledger.tally(relayId);
            long[] left = job.leftovers();
            LocalStats s = aws.stats();
            long dlq = s.dlqMessages().values().stream().mapToLong(Long::longValue).sum();
            long lost = vendor.lost();
            long dup = vendor.duplicates();
            double achieved = vendor.achievedRate();

            List<Check> checks = new ArrayList<>();
            checks.add(new Check("every call made exactly once", lost == 0 && dup == 0, n(vendor.ok())
                    + " of " + n(options.calls()) + " call ids answered 200, " + lost + " lost, " + dup + " duplicated"
                    + (vendor.replayed() == 0 ? "" : ", " + vendor.replayed() + " repeated unit(s) answered from the "
                            + "vendor's idempotency key")));
            checks.add(new Check("every part done", tally.done() == options.parts() && tally.failed() == 0,
                    tally.done() + " of " + options.parts() + " parts done, " + tally.failed() + " failed"));
            checks.addAll(LocalJob.commonChecks(gaveUp, dlq, left, pooled));
            if (pooled) {
                checks.add(new Check("ended in the ledger", ledger.pooledRelay(relayId).map(p -> p.control()
                        == PooledRelay.Control.ENDED).orElse(false), "the pooled relay's entry says "
                        + ledger.pooledRelay(relayId).map(p -> p.control().toString()).orElse("nothing")));
            }
            RelayCost cost = ledger.cost(relayId).orElse(RelayCost.ZERO);
            long workerInvocations = s.invocations() - job.invocations(START);
            checks.add(new Check("cost counted for every part", cost.hops() >= options.parts()
                    && cost.lambdaRequests() > 0 && cost.lambdaRequests() <= workerInvocations,
                    n(cost.hops()) + " hops and " + n(cost.lambdaRequests()) + " Lambda requests in the cost, "
                    + n(workerInvocations) + " worker invocations, " + options.parts() + " parts"));

            List<String> lines = new ArrayList<>();
            checks.forEach(c -> lines.add("check               " + c.line()));
            lines.add("calls made          " + n(vendor.requests()) + " requests: " + n(vendor.ok()) + " answered 200, "
                    + n(vendor.throttled()) + " answered 429 (each was made again later: after a back-off, or at once "
                    + "at a lower pace when adaptive), "
                    + n(vendor.replayed()) + " repeats of a done call (a unit cut short at the deadline) replayed by the "
                    + "vendor's idempotency key");
            lines.add(String.format(Locale.ROOT, "achieved rate       %,.0f calls/s = %.1f%% of the %,.0f/s limit "
                    + "(busiest whole second %,d; 50%% to 90%% of the calls %,.0f calls/s = %.1f%%; %.2f%% of "
                    + "requests answered 429)", achieved, 100 * achieved / options.vendorLimit(),
                    options.vendorLimit(), vendor.peakSecond(), vendor.settledRate(),
                    100 * vendor.settledRate() / options.vendorLimit(),
                    100.0 * vendor.throttled() / Math.max(1, vendor.requests())));
            lines.add("hops                " + n(s.messagesSent(queue)) + " (messages to the relay queue: "
                    + options.parts() + " first packets, hand-offs and back-offs)");
            lines.add("invocations         " + n(s.invocations()) + " (start " + job.invocations(START) + ", worker "
                    + (s.invocations() - job.invocations(START)) + ")");
            lines.add("timeouts            " + LocalJob.timeouts(s.timeouts()));
            lines.add(LocalJob.costLine(cost));
            lines.add("wall time           " + secs(System.nanoTime() - started) + " (relay " + secs(jobEnd - jobStart)
                    + ")");
            Result r = new Result(options.calls(), vendor.requests(), vendor.ok(), vendor.throttled(), lost, dup,
                    achieved, tally.done(), tally.failed(), s.messagesSent(queue), s.invocations(), s.timeouts(), dlq,
                    left[0], left[1], List.copyOf(checks), List.copyOf(lines));
            out.println("vendor summary: " + (r.passed() ? "PASSED" : "FAILED"));
            lines.forEach(l -> out.println("  " + l));
            return r;
        } finally {
            aws.close();
        }
    }

    private static String rate(double r) {
        return String.format(Locale.ROOT, "%,.0f", r);
    }
}
