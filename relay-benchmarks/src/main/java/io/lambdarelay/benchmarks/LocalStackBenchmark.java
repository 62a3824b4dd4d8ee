package io.lambdarelay.benchmarks;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.events.SQSEvent.SQSMessage;
import io.lambdarelay.Relay;
import io.lambdarelay.RelayPacket;
import io.lambdarelay.RelayWorker;
import io.lambdarelay.TimeBudget;
import io.lambdarelay.local.LocalAws;
import io.lambdarelay.local.LocalContext;
import io.lambdarelay.local.LocalStats;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Part 5: a real relay chain on relay-local, through relay-core only: {@code Relay.setup} creates
 * the queues and the event-source mapping on the local Lambda endpoint, a {@link RelayWorker} runs
 * one trivial unit per invocation and passes the packet on with {@code relayPass}, and the last
 * invocation completes and tears the relay down.
 *
 * <p>Each invocation's budget is relay-core's {@code TimeBudget} with its defaults (1 s reserve,
 * safety factor 2.0) and the hint the worker carries, over a fake remaining-time supplier that
 * starts at 10,000 ms and that the unit moves by 4,000 ms. The first unit starts (8,000 ms expected
 * from the carried hint, 9,000 ms usable) and a second does not (8,000 ms expected, 5,000 ms
 * usable), so every invocation is exactly one unit and one hand-off, however fast or slow the
 * machine. (A unit of 6,000 ms would expect 12,000 ms of a fresh invocation's 9,000 usable ms, and
 * the budget would rightly refuse it with {@code UnitTooLongException}.) The worker records
 * {@code System.nanoTime()} when each unit starts; a hop is the gap between consecutive starts
 * (invocation start to invocation start: the unit, the relayPass and the poll that delivers the
 * packet, nothing subtracted).
 */
final class LocalStackBenchmark {
    static final int WARMUP_HOPS = 100;
    static final int HOPS = 1_000;
    static final double MAX_MEDIAN_HOP_MILLIS = 20;
    static final double MAX_CHAIN_SECONDS = 30;
    static final long FAKE_INVOCATION_MILLIS = 10_000;
    static final long FAKE_UNIT_MILLIS = 4_000;
    static final String FUNCTION = "bench-hopper";
    private static final Duration FUNCTION_TIMEOUT = Duration.ofSeconds(10);
    private static final long CHAIN_TIMEOUT_SECONDS = 120;

    private LocalStackBenchmark() {
    }

    /** One unit per invocation: records when it started and asks for another hop until the chain's last. */
    static final class OneUnitPerHop extends RelayWorker {
        private final ThreadLocal<AtomicLong> remaining = new ThreadLocal<>();
        private final Map<String, Chain> chains = new ConcurrentHashMap<>();

        OneUnitPerHop(Relay relay) {
            super(relay);
        }

        Chain begin(String relayId, int hops) {
            Chain c = new Chain(hops);
            chains.put(relayId, c);
            return c;
        }

        @Override
        protected TimeBudget newBudget(Context context, Duration unitHint) {
            AtomicLong fake = new AtomicLong(FAKE_INVOCATION_MILLIS);
            remaining.set(fake);
            return TimeBudget.builder().remainingMillis(fake::get).unitHint(unitHint).build();
        }

        @Override
        protected boolean processUnit(RelayPacket pkt) {
            long now = System.nanoTime();
            Chain c = chains.get(pkt.relayId());
            c.timeline.record(pkt.hop(), now);
            remaining.get().addAndGet(-FAKE_UNIT_MILLIS);
            return pkt.hop() < c.timeline.hops();
        }

        @Override
        protected void onComplete(RelayPacket pkt, Context context) {
            Chain c = chains.get(pkt.relayId());
            c.completedAt = System.nanoTime();
            c.completedAtHop = pkt.hop();
            c.done.countDown();
        }

        @Override
        protected void onFailure(SQSMessage message, RelayPacket pkt, Exception error, Context context) {
            // A failed hop would be redelivered after the visibility timeout and skew the figures: stop at once.
            Chain c = pkt == null ? null : chains.get(pkt.relayId());
            if (c != null && c.failure == null) {
                c.failure = error;
                c.done.countDown();
            }
        }
    }

    /** One chain's records. */
    static final class Chain {
        final HopTimeline timeline;
        final CountDownLatch done = new CountDownLatch(1);
        volatile long completedAt;
        volatile long completedAtHop;
        volatile Exception failure;

        Chain(int hops) {
            timeline = new HopTimeline(hops);
        }
    }

    /** A chain's outcome: its wall time, its hop gaps and what the local stack counted. */
    record Outcome(double seconds, double[] gapsMillis, long invocations, int repeats) {
    }

    static void run(ResultTable table, PrintStream out) throws InterruptedException {
        long started = System.nanoTime();
        try (LocalAws aws = LocalAws.start();
                Relay relay = Relay.builder().sqsClient(aws.sqsClient()).lambdaClient(aws.lambdaClient()).build()) {
            out.printf(Locale.ROOT, "LocalAws.start() took %.0f ms; %d poller(s) per mapping (LocalAws default, no "
                    + "MaximumConcurrency); function timeout %d s, batch size 1; one unit per invocation (fake budget: "
                    + "%,d ms, the unit uses %,d ms)%n", (System.nanoTime() - started) / 1e6,
                    LocalAws.DEFAULT_CONCURRENCY, FUNCTION_TIMEOUT.toSeconds(), FAKE_INVOCATION_MILLIS,
                    FAKE_UNIT_MILLIS);
            OneUnitPerHop worker = new OneUnitPerHop(relay);
            aws.registerFunction(FUNCTION, FUNCTION_TIMEOUT, worker);

            Outcome warm = chain(aws, relay, worker, WARMUP_HOPS);
            out.printf(Locale.ROOT, "  warm-up chain of %,d hops: %.2f s%n", WARMUP_HOPS, warm.seconds());
            Outcome o = chain(aws, relay, worker, HOPS);
            double median = Stats.median(o.gapsMillis());
            double p90 = Stats.percentile(o.gapsMillis(), 90);
            double p99 = Stats.percentile(o.gapsMillis(), 99);
            double max = Stats.percentile(o.gapsMillis(), 100);
            out.printf(Locale.ROOT, "  chain of %,d hops: %.2f s from the first relayPass to onComplete (%.2f ms per "
                    + "hop); %,d invocations, %d redelivered%n", HOPS, o.seconds(), o.seconds() * 1e3 / HOPS,
                    o.invocations(), o.repeats());
            out.printf(Locale.ROOT, "  hop, unit start to next unit start, over %,d gaps: median %.2f ms, p90 %.2f ms, "
                    + "p99 %.2f ms, max %.2f ms%n", o.gapsMillis().length, median, p90, p99, max);

            table.add("5 local stack", "hop latency, unit start to next unit start, median",
                    String.format(Locale.ROOT, "%.2f ms (%,d hops, %d pollers)", median, o.gapsMillis().length,
                            LocalAws.DEFAULT_CONCURRENCY),
                    String.format(Locale.ROOT, "< %.0f ms", MAX_MEDIAN_HOP_MILLIS),
                    Verdict.of(median < MAX_MEDIAN_HOP_MILLIS));
            table.add("5 local stack", "hop latency, p90", String.format(Locale.ROOT, "%.2f ms (p99 %.2f ms)", p90, p99),
                    "-", Verdict.INFO);
            table.add("5 local stack", "1,000-hop chain, first relayPass to onComplete",
                    String.format(Locale.ROOT, "%.2f s (%,d invocations, %d redelivered)", o.seconds(), o.invocations(),
                            o.repeats()),
                    String.format(Locale.ROOT, "< %.0f s", MAX_CHAIN_SECONDS), Verdict.of(o.seconds() < MAX_CHAIN_SECONDS));
        }
    }

    /** Sets a relay up, runs a chain of {@code hops} hand-offs through it and waits until it is torn down. */
    static Outcome chain(LocalAws aws, Relay relay, OneUnitPerHop worker, int hops)
            throws InterruptedException {
        RelayPacket pkt = relay.setup(LocalContext.of("bench-start", Duration.ofSeconds(30)), FUNCTION);
        Chain c = worker.begin(pkt.relayId(), hops);
        LocalStats before = aws.stats();
        long t0 = System.nanoTime();
        relay.relayPass(pkt);
        if (!c.done.await(CHAIN_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            throw new IllegalStateException("a chain of " + hops + " hops did not complete in " + CHAIN_TIMEOUT_SECONDS
                    + " s; missing hops " + c.timeline.missing().size() + "; " + aws.stats());
        }
        if (c.failure != null) {
            throw new IllegalStateException("a chain of " + hops + " hops failed: " + c.failure, c.failure);
        }
        double seconds = (c.completedAt - t0) / 1e9;
        // onComplete ran in the last invocation, which then tears the relay down; wait for that to end.
        aws.awaitIdle(Duration.ofSeconds(30));
        long invocations = aws.stats().invocations() - before.invocations();
        if (c.completedAtHop != hops) {
            throw new IllegalStateException("the chain completed at hop " + c.completedAtHop + ", expected " + hops);
        }
        return new Outcome(seconds, c.timeline.gapsMillis(), invocations, c.timeline.repeats());
    }
}
