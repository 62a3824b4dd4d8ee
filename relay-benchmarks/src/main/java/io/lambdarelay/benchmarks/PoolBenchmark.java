package io.lambdarelay.benchmarks;

import com.amazonaws.services.lambda.runtime.Context;
import io.lambdarelay.Relay;
import io.lambdarelay.RelayPacket;
import io.lambdarelay.RelaySetup;
import io.lambdarelay.RelayWorker;
import io.lambdarelay.TimeBudget;
import io.lambdarelay.ledger.InMemoryRelayLedger;
import io.lambdarelay.local.LocalAws;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Part 9: many relays started at a steady rate, on {@code LocalAws} with Lambda's control-plane
 * quota emulated (15 requests a second).
 * <ol>
 *   <li>Pooled mode: {@value #RELAYS} relays of {@value #HOPS} hops each (one unit a hop), started
 *       at {@value #RATE} a second into one pool: every relay exact; the time from a start to its
 *       first unit (p50, p99); the Lambda control-plane requests made per relay, and refused.</li>
 *   <li>Per-relay mode at the same rate for {@value #PER_RELAY_SECONDS} seconds: the starts that
 *       succeed, those that fail on the quota (after the SDK's retries), and the control-plane
 *       requests refused.</li>
 * </ol>
 */
final class PoolBenchmark {
    static final int RELAYS = 1_000;
    static final int HOPS = 20;
    static final int RATE = 100;
    static final double QUOTA = 15;
    static final int PER_RELAY_SECONDS = 3;
    static final int WORKER_CONCURRENCY = 20;
    static final Duration DEADLINE = Duration.ofMinutes(10);

    private PoolBenchmark() {
    }

    /** Counts to {@value #HOPS}, one unit a hop, and notes each relay's first unit and its end. */
    static final class Counter extends RelayWorker {
        final Map<String, Long> firstUnitNanos = new ConcurrentHashMap<>();
        final Map<String, Long> results = new ConcurrentHashMap<>();
        final Map<String, Long> hops = new ConcurrentHashMap<>();
        final AtomicInteger completions = new AtomicInteger();
        private final ThreadLocal<int[]> unitsThisHop = ThreadLocal.withInitial(() -> new int[1]);

        Counter(Relay relay) {
            super(relay);
        }

        @Override
        protected TimeBudget newBudget(Context context, Duration unitHint) {
            int[] units = unitsThisHop.get();
            units[0] = 0;
            return TimeBudget.builder().remainingMillis(() -> units[0] < 1 ? 60_000 : 0).reserve(Duration.ZERO)
                    .build();
        }

        @Override
        protected boolean processUnit(RelayPacket pkt) {
            long n = pkt.getLong("n", 0);
            if (n == 0) {
                firstUnitNanos.putIfAbsent(pkt.relayId(), System.nanoTime());
            }
            unitsThisHop.get()[0]++;
            pkt.put("n", n + 1);
            return n + 1 < pkt.getLong("target", HOPS);
        }

        final Map<String, Long> doneNanos = new ConcurrentHashMap<>();

        @Override
        protected void onComplete(RelayPacket pkt, Context context) {
            doneNanos.putIfAbsent(pkt.relayId(), System.nanoTime());
            results.merge(pkt.relayId(), pkt.getLong("n", -1), (a, b) -> -2L); // -2: completed twice
            hops.put(pkt.relayId(), pkt.hop());
            completions.incrementAndGet();
        }
    }

    static void run(ResultTable table, PrintStream out) throws Exception {
        try (LocalAws aws = LocalAws.builder().defaultConcurrency(WORKER_CONCURRENCY).controlPlaneRate(QUOTA).start()) {
            InMemoryRelayLedger ledger = new InMemoryRelayLedger();
            Relay relay = Relay.builder().sqsClient(aws.sqsClient()).lambdaClient(aws.lambdaClient()).ledger(ledger)
                    .build();
            Counter worker = new Counter(relay);
            aws.registerFunction("pool-worker", Duration.ofSeconds(30), worker);
            out.printf(Locale.ROOT, "LocalAws with Lambda's control-plane quota emulated at %.0f requests/s; worker "
                    + "concurrency %d; one unit a hop%n", QUOTA, WORKER_CONCURRENCY);
            pooled(aws, relay, worker, table, out);
            perRelay(aws, relay, table, out);
        }
        double plain = fairness(false, out);
        double fair = fairness(true, out);
        table.add("9 pool", String.format(Locale.ROOT, "fairness: a %d-hop relay beside a %,d-part fan-out in one "
                + "pool, its time to finish", HOPS, BIG_PARTS), String.format(Locale.ROOT, "%.2f s with the pool a "
                        + "fair queue (emulated), %.2f s without; alone about %.2f s", fair, plain, alone),
                "not starved: <= 5 x alone", Verdict.of(fair <= 5 * alone));
    }

    static final int BIG_PARTS = 10_000;
    private static double alone = Double.NaN;

    /**
     * A fan-out of {@value #BIG_PARTS} parts (one unit each) and then a {@value #HOPS}-hop chain,
     * both in one pool: how long the chain takes, with the pool a fair queue or not. First, once,
     * the chain alone.
     */
    private static double fairness(boolean fairQueues, PrintStream out) throws Exception {
        try (LocalAws aws = LocalAws.builder().defaultConcurrency(WORKER_CONCURRENCY).fairQueues(fairQueues).start()) {
            InMemoryRelayLedger ledger = new InMemoryRelayLedger();
            Relay relay = Relay.builder().sqsClient(aws.sqsClient()).lambdaClient(aws.lambdaClient()).ledger(ledger)
                    .build();
            Counter worker = new Counter(relay);
            aws.registerFunction("pool-worker", Duration.ofSeconds(30), worker);
            RelaySetup pooled = RelaySetup.builder().pooled(true).build();
            if (Double.isNaN(alone)) {
                long t0 = System.nanoTime();
                RelayPacket solo = relay.start(null, "pool-worker", pooled, p -> { });
                awaitDone(worker, solo.relayId());
                alone = (worker.doneNanos.get(solo.relayId()) - t0) / 1e9;
            }
            long bigStart = System.nanoTime();
            String[] big = new String[1];
            relay.startFanOut(null, "pool-worker", pooled, BIG_PARTS, (i, p) -> {
                p.put("target", 1L);
                big[0] = p.relayId();
            });
            long smallStart = System.nanoTime();
            RelayPacket small = relay.start(null, "pool-worker", pooled, p -> { });
            awaitDone(worker, small.relayId());
            awaitDone(worker, big[0]);
            double smallSeconds = (worker.doneNanos.get(small.relayId()) - smallStart) / 1e9;
            double bigSeconds = (worker.doneNanos.get(big[0]) - bigStart) / 1e9;
            out.printf(Locale.ROOT, "fairness, pool %s: the %d-hop chain took %.2f s beside the %,d-part fan-out "
                    + "(which took %.2f s, %s); alone it takes %.2f s%n", fairQueues ? "a fair queue (emulated)"
                            : "in the embedded SQS's own order", HOPS, smallSeconds, BIG_PARTS, bigSeconds,
                    Long.valueOf(HOPS).equals(worker.results.get(small.relayId())) ? "the chain exact"
                            : "the chain NOT exact", alone);
            return smallSeconds;
        }
    }

    private static void awaitDone(Counter worker, String relayId) throws InterruptedException {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (!worker.doneNanos.containsKey(relayId)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("relay " + relayId + " did not finish within " + DEADLINE);
            }
            Thread.sleep(5);
        }
    }

    private static void pooled(LocalAws aws, Relay relay, Counter worker, ResultTable table, PrintStream out)
            throws Exception {
        RelaySetup pooled = RelaySetup.builder().pooled(true).build();
        long cpBefore = aws.controlPlaneRequests();
        Map<String, Long> startNanos = new ConcurrentHashMap<>();
        RelayPacket first = relay.start(null, "pool-worker", pooled, p -> { }); // creates the pool
        startNanos.put(first.relayId(), System.nanoTime());
        // The worker checks its own recursion config once, at its first invocation: not a start's call.
        long warm = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!worker.firstUnitNanos.containsKey(first.relayId()) && System.nanoTime() < warm) {
            Thread.sleep(10);
        }
        Thread.sleep(200);
        long cpForPool = aws.controlPlaneRequests() - cpBefore;
        long throttledBefore = aws.controlPlaneThrottled();
        AtomicLong startFailures = new AtomicLong();
        long began = System.nanoTime();
        long intervalNanos = 1_000_000_000L / RATE;
        ExecutorService starters = Executors.newFixedThreadPool(8);
        List<Future<?>> started = new ArrayList<>();
        for (int i = 1; i < RELAYS; i++) {
            long due = began + i * intervalNanos;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            started.add(starters.submit(() -> {
                long t0 = System.nanoTime();
                try {
                    RelayPacket p = relay.start(null, "pool-worker", pooled, x -> { });
                    startNanos.put(p.relayId(), t0);
                } catch (RuntimeException e) {
                    startFailures.incrementAndGet();
                }
            }));
        }
        for (Future<?> f : started) {
            f.get();
        }
        double startSeconds = (System.nanoTime() - began) / 1e9;
        starters.shutdown();
        long cpAfterStarts = aws.controlPlaneRequests();
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (worker.completions.get() < startNanos.size() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        double allSeconds = (System.nanoTime() - began) / 1e9;
        long exact = startNanos.keySet().stream().filter(id -> Long.valueOf(HOPS).equals(worker.results.get(id))
                && Long.valueOf(HOPS).equals(worker.hops.get(id))).count();
        double[] toFirst = startNanos.entrySet().stream().filter(e -> worker.firstUnitNanos.containsKey(e.getKey()))
                .mapToDouble(e -> (worker.firstUnitNanos.get(e.getKey()) - e.getValue()) / 1e6).toArray();
        long cpPerRelayRun = cpAfterStarts - cpBefore - cpForPool;
        long throttled = aws.controlPlaneThrottled() - throttledBefore;
        out.printf(Locale.ROOT, "pooled: %,d relays started in %.1f s (%.0f/s), %d start(s) failed; all done after "
                + "%.1f s; %,d of %,d exact (%d units and hops each); control-plane requests: %d to create the pool "
                + "and for the worker's first invocation, %d during the other %,d starts, %d refused%n", startNanos.size(), startSeconds,
                (RELAYS - 1) / startSeconds, startFailures.get(), allSeconds, exact, startNanos.size(), HOPS,
                cpForPool, cpPerRelayRun, RELAYS - 1, throttled);
        double p50 = toFirst.length == 0 ? Double.NaN : Stats.percentile(toFirst, 50);
        double p99 = toFirst.length == 0 ? Double.NaN : Stats.percentile(toFirst, 99);
        out.printf(Locale.ROOT, "pooled: time from start to first unit: p50 %.0f ms, p99 %.0f ms, max %.0f ms%n", p50,
                p99, toFirst.length == 0 ? Double.NaN : Stats.percentile(toFirst, 100));

        table.add("9 pool", String.format(Locale.ROOT, "%,d pooled relays of %d hops started at %d/s: exact", RELAYS,
                HOPS, RATE), String.format(Locale.ROOT, "%,d of %,d exact, %d start(s) failed; started at %.0f/s, "
                        + "all done in %.1f s", exact, RELAYS, startFailures.get(), (RELAYS - 1) / startSeconds,
                        allSeconds), "all exact", Verdict.of(exact == RELAYS && startFailures.get() == 0));
        table.add("9 pool", "same: Lambda control-plane requests per relay started into the pool",
                String.format(Locale.ROOT, "%d during %,d starts (%d refused); %d once, for the pool and the worker's "
                        + "first invocation",
                        cpPerRelayRun, RELAYS - 1, throttled, cpForPool), "0 per relay",
                Verdict.of(cpPerRelayRun == 0));
        table.add("9 pool", "same: time from start to first unit, p50 / p99",
                String.format(Locale.ROOT, "%.0f ms / %.0f ms", p50, p99), "-", Verdict.INFO);
    }

    private static void perRelay(LocalAws aws, Relay relay, ResultTable table, PrintStream out) throws Exception {
        int attempts = RATE * PER_RELAY_SECONDS;
        long cpBefore = aws.controlPlaneRequests();
        long throttledBefore = aws.controlPlaneThrottled();
        AtomicInteger ok = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        ExecutorService starters = Executors.newFixedThreadPool(32);
        List<Future<?>> started = new ArrayList<>();
        long began = System.nanoTime();
        long intervalNanos = 1_000_000_000L / RATE;
        for (int i = 0; i < attempts; i++) {
            long wait = began + i * intervalNanos - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            started.add(starters.submit(() -> {
                try {
                    relay.setup(null, "pool-worker", RelaySetup.defaults());
                    ok.incrementAndGet();
                } catch (RuntimeException e) {
                    failed.incrementAndGet();
                }
            }));
        }
        for (Future<?> f : started) {
            f.get();
        }
        starters.shutdown();
        double seconds = (System.nanoTime() - began) / 1e9;
        long requests = aws.controlPlaneRequests() - cpBefore;
        long refused = aws.controlPlaneThrottled() - throttledBefore;
        out.printf(Locale.ROOT, "per-relay mode: %d setups tried at %d/s over %.1f s: %d succeeded, %d failed; "
                + "control-plane requests %d answered, %d refused (%.1f per setup tried)%n", attempts, RATE, seconds,
                ok.get(), failed.get(), requests, refused, (double) (requests + refused) / attempts);
        table.add("9 pool", String.format(Locale.ROOT, "per-relay mode: setups tried at %d/s for %d s, under the "
                + "%.0f/s quota", RATE, PER_RELAY_SECONDS, QUOTA), String.format(Locale.ROOT,
                        "%d of %d succeeded, %d failed; %d control-plane requests answered, %d refused; %.1f s", ok.get(),
                        attempts, failed.get(), requests, refused, seconds), "-", Verdict.INFO);
    }
}
