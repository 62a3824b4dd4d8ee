package io.lambdarelay.benchmarks;

import com.amazonaws.services.lambda.runtime.Context;
import io.lambdarelay.Relay;
import io.lambdarelay.RelayPacket;
import io.lambdarelay.RelaySetup;
import io.lambdarelay.RelayWorker;
import io.lambdarelay.local.LocalAws;
import io.lambdarelay.local.LocalContext;
import io.lambdarelay.local.LocalStats;
import java.io.PrintStream;
import java.time.Duration;
import java.util.BitSet;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Part 7: the deadline hand-off. A chain of 3,000 units in 2 s workers on relay-local, where 1% of
 * the units hang for 10 s the first time they run (ignoring interrupts, so each such invocation
 * times out), run three ways: without hangs, with hangs and the deadline hand-off, and with hangs
 * and the hand-off turned off (the behaviour before it). Each unit counts its runs and adds its
 * index to a sum, so the result is checked exactly.
 */
final class DeadlineBenchmark {
    static final int UNITS = 3_000;
    static final double HANG_SHARE = 0.01;
    static final long UNIT_MILLIS = 5;
    static final long HANG_MILLIS = 10_000;
    static final Duration WORKER_TIMEOUT = Duration.ofSeconds(2);
    /** How long a run may take before it counts as never completing. */
    static final Duration GIVE_UP = Duration.ofSeconds(150);
    static final long RANDOM_SEED = 13;

    private DeadlineBenchmark() {
    }

    /** One run's outcome. */
    record Run(String name, boolean completed, String result, double seconds, int unitsRunTwiceOrMore, int hangsRunTwice,
            int hangsRunMore, int othersRunMore, long timeouts, long invocations, long dlq) {
    }

    static void run(ResultTable table, PrintStream out) {
        BitSet hangs = new BitSet(UNITS);
        Random random = new Random(RANDOM_SEED);
        while (hangs.cardinality() < Math.round(UNITS * HANG_SHARE)) {
            hangs.set(random.nextInt(UNITS));
        }
        out.printf(Locale.ROOT, "%,d units of %d ms in %d s workers; %d of them (1%%) hang %d s the first time they run "
                + "and ignore interrupts%n", UNITS, UNIT_MILLIS, WORKER_TIMEOUT.toSeconds(), hangs.cardinality(),
                HANG_MILLIS / 1000);
        Run plain = once("no hangs", new BitSet(), true, out);
        Run handOff = once("hangs, deadline hand-off", hangs, true, out);
        Run before = once("hangs, hand-off off (before)", hangs, false, out);

        long expectedSum = (long) UNITS * (UNITS - 1) / 2;
        boolean exact = handOff.completed() && handOff.result().equals(Long.toString(expectedSum))
                && handOff.hangsRunMore() == 0 && handOff.othersRunMore() == 0;
        table.add("7 deadline", "3,000-unit chain, 1% of units hang 10 s once: result and repeats",
                (handOff.completed() ? "sum " + handOff.result() + " (expected " + expectedSum + ")" : "not completed")
                        + String.format(Locale.ROOT, "; %d hanging units run twice, 0 more; %d other units run more "
                                + "than once", handOff.hangsRunTwice(), handOff.othersRunMore()),
                "exact, hangs <= 2 runs, others once", Verdict.of(exact));
        table.add("7 deadline", "same, wall time: no hangs / hand-off / before",
                String.format(Locale.ROOT, "%.1f s / %.1f s / %s", plain.seconds(), handOff.seconds(),
                        before.completed() ? String.format(Locale.ROOT, "%.1f s", before.seconds())
                                : before.dlq() > 0 ? String.format(Locale.ROOT, "never completes: dead-lettered after "
                                        + "%.1f s", before.seconds())
                                : "not completed in " + GIVE_UP.toSeconds() + " s"),
                "-", Verdict.INFO);
        double stallAfter = hangs.cardinality() == 0 ? 0
                : (handOff.seconds() - plain.seconds()) / hangs.cardinality();
        table.add("7 deadline", "time lost per hanging unit: hand-off / before",
                String.format(Locale.ROOT, "%.2f s (%d timeouts, 0 waits for the visibility timeout) / %s",
                        stallAfter, handOff.timeouts(), before.completed()
                                ? String.format(Locale.ROOT, "%.2f s", (before.seconds() - plain.seconds())
                                        / hangs.cardinality())
                                : String.format(Locale.ROOT, "the chain never completed: %d timeouts, %d units run more "
                                        + "than once, %d packet(s) in the DLQ", before.timeouts(),
                                        before.unitsRunTwiceOrMore(), before.dlq())),
                "-", Verdict.INFO);
    }

    private static Run once(String name, BitSet hangs, boolean handOff, PrintStream out) {
        AtomicIntegerArray runs = new AtomicIntegerArray(UNITS);
        AtomicReference<RelayPacket> done = new AtomicReference<>();
        CountDownLatch release = new CountDownLatch(1);
        try (LocalAws aws = LocalAws.start()) {
            Relay relay = Relay.builder().sqsClient(aws.sqsClient()).lambdaClient(aws.lambdaClient()).build();
            RelayWorker worker = new RelayWorker(relay) {
                @Override
                protected boolean processUnit(RelayPacket pkt) throws Exception {
                    int i = (int) pkt.getLong("next", 0);
                    if (runs.getAndIncrement(i) == 0 && hangs.get(i)) {
                        long until = System.nanoTime() + HANG_MILLIS * 1_000_000L;
                        while (System.nanoTime() < until) { // a call that does not answer, and ignores interrupts
                            try {
                                release.await(Math.max(1, (until - System.nanoTime()) / 1_000_000L),
                                        TimeUnit.MILLISECONDS);
                            } catch (InterruptedException e) {
                                // keeps hanging
                            }
                        }
                    } else {
                        Thread.sleep(UNIT_MILLIS);
                    }
                    pkt.put("sum", pkt.getLong("sum", 0) + i);
                    pkt.put("next", i + 1);
                    return i + 1 < UNITS;
                }

                @Override
                protected void onComplete(RelayPacket pkt, Context context) {
                    done.set(pkt);
                }

                @Override
                protected boolean handsOffAtDeadline() {
                    return handOff;
                }
            };
            aws.registerFunction("hang-chain", WORKER_TIMEOUT, worker);
            RelayPacket pkt = relay.setup(LocalContext.of("start", Duration.ofSeconds(30)), "hang-chain",
                    RelaySetup.builder().maxReceiveCount(2).build());
            long t0 = System.nanoTime();
            relay.relayPass(pkt);
            long giveUp = t0 + GIVE_UP.toNanos();
            String dlqUrl = pkt.deadLetterQueueUrl().orElseThrow();
            while (done.get() == null && System.nanoTime() < giveUp && dlqHolds(aws, dlqUrl) == 0) {
                Thread.sleep(50);
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            release.countDown();
            int twice = 0;
            int hangsTwice = 0;
            int hangsMore = 0;
            int othersMore = 0;
            for (int i = 0; i < UNITS; i++) {
                int r = runs.get(i);
                twice += r >= 2 ? 1 : 0;
                if (hangs.get(i)) {
                    hangsTwice += r == 2 ? 1 : 0;
                    hangsMore += r > 2 ? 1 : 0;
                } else {
                    othersMore += r > 1 ? 1 : 0;
                }
            }
            LocalStats s = aws.stats();
            RelayPacket end = done.get();
            Run run = new Run(name, end != null, end == null ? "-" : Long.toString(end.getLong("sum", -1)), seconds,
                    twice, hangsTwice, hangsMore, othersMore, s.timeouts(), s.invocations(), dlqHolds(aws, dlqUrl));
            out.printf(Locale.ROOT, "  %-30s %s in %6.1f s; %,d invocations, %d timeouts; units run twice or more "
                    + "%d (hanging units twice %d, more %d; other units more than once %d); DLQ %d%n", name,
                    run.completed() ? "completed, sum " + run.result() : "NOT completed", seconds, run.invocations(),
                    run.timeouts(), twice, hangsTwice, hangsMore, othersMore, run.dlq());
            return run;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } finally {
            release.countDown();
        }
    }

    private static long dlqHolds(LocalAws aws, String dlqUrl) {
        try {
            return Long.parseLong(aws.sqsClient().getQueueAttributes(r -> r.queueUrl(dlqUrl).attributeNamesWithStrings(
                    "ApproximateNumberOfMessages")).attributes().values().iterator().next());
        } catch (RuntimeException e) {
            return 0;
        }
    }
}
