package io.lambdarelay.benchmarks;

import io.lambdarelay.Relay;
import io.lambdarelay.RelayPacket;
import io.lambdarelay.local.testing.SqsServer;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/**
 * Part 2: a fan-out of 10,000 parts with {@code relayPassAll} (SendMessageBatch, ten parts per
 * call) against a loop of 10,000 {@code relayPass} calls (one SendMessage each) for the same
 * parts, on the same client and embedded ElasticMQ.
 *
 * <p>Every side of every repetition sends into a queue of its own, created empty just before and
 * deleted just after, so no side ever sends into a queue that already holds the other side's (or
 * an earlier repetition's) 10,000 messages. The sides alternate which goes first. The SDK
 * interceptor of {@link SqsServer} counts the calls each side makes, and the queue must hold
 * exactly one message per part afterwards.
 */
final class FanOutBenchmark {
    static final int PARTS = 10_000;
    /** Warm-up: a whole batched fan-out (1,000 calls), and 2,000 single passes. */
    static final int WARMUP_BATCHED_PARTS = PARTS;
    static final int WARMUP_SINGLE_PARTS = 2_000;
    static final int REPETITIONS = 3;
    static final double MAX_CALLS_PER_PART = 0.1;
    static final double MIN_SPEEDUP = 5.0;
    /** The fan-out sizes measured at scale, concurrent against sequential batches. */
    static final int[] SCALE_PARTS = {10_000, 100_000};
    /** 100,000 parts must be passed within this, well inside API Gateway's 30 s. */
    static final double MAX_SCALE_MILLIS = 10_000;

    private FanOutBenchmark() {
    }

    /** One side's run: its wall time and the SQS calls it made. */
    record Side(double millis, int calls, int batchCalls, int singleCalls) {
    }

    static void run(ResultTable table, PrintStream out) {
        try (SqsServer sqs = SqsServer.start();
                Relay relay = Relay.builder().sqsClient(sqs.client()).lambdaClient(new NoCallsLambda()).build()) {
            out.printf(Locale.ROOT, "%,d parts of a %,d-byte packet (before split); warm-up: relayPassAll of %,d "
                    + "parts, %,d relayPass calls; then %d repetitions; each side sends into a new empty queue, deleted "
                    + "afterwards%n", PARTS, Packets.TARGET_BYTES, WARMUP_BATCHED_PARTS, WARMUP_SINGLE_PARTS,
                    REPETITIONS);
            measure(sqs, relay, "bench-fanout-warmup-batched", WARMUP_BATCHED_PARTS, true);
            measure(sqs, relay, "bench-fanout-warmup-single", WARMUP_SINGLE_PARTS, false);

            double[] batchedMillis = new double[REPETITIONS];
            double[] singleMillis = new double[REPETITIONS];
            double[] ratios = new double[REPETITIONS];
            double worstCallsPerPart = 0;
            int maxBatchCalls = 0;
            for (int rep = 0; rep < REPETITIONS; rep++) {
                Side batched;
                Side single;
                if (rep % 2 == 0) {
                    batched = measure(sqs, relay, "bench-fanout-batched-" + rep, PARTS, true);
                    single = measure(sqs, relay, "bench-fanout-single-" + rep, PARTS, false);
                } else {
                    single = measure(sqs, relay, "bench-fanout-single-" + rep, PARTS, false);
                    batched = measure(sqs, relay, "bench-fanout-batched-" + rep, PARTS, true);
                }
                batchedMillis[rep] = batched.millis();
                singleMillis[rep] = single.millis();
                ratios[rep] = single.millis() / batched.millis();
                worstCallsPerPart = Math.max(worstCallsPerPart, (double) batched.calls() / PARTS);
                maxBatchCalls = Math.max(maxBatchCalls, batched.calls());
                out.printf(Locale.ROOT, "  repetition %d (%s first): relayPassAll %,7.0f ms in %,d calls (%,d "
                        + "SendMessageBatch); %,d x relayPass %,7.0f ms in %,d calls (%,d SendMessage); single/batched "
                        + "%.1f%n", rep + 1, rep % 2 == 0 ? "batched" : "single", batched.millis(), batched.calls(),
                        batched.batchCalls(), PARTS, single.millis(), single.calls(), single.singleCalls(), ratios[rep]);
            }
            double batchedMedian = Stats.median(batchedMillis);
            double singleMedian = Stats.median(singleMillis);
            double speedup = singleMedian / batchedMedian;
            out.printf(Locale.ROOT, "  medians: relayPassAll %.0f ms (%.2f ms per SendMessageBatch call), relayPass "
                    + "loop %.0f ms (%.2f ms per SendMessage call); ratio of medians %.1f, median of per-repetition "
                    + "ratios %.1f%n", batchedMedian, batchedMedian / maxBatchCalls, singleMedian, singleMedian / PARTS,
                    speedup, Stats.median(ratios));

            table.add("2 fan-out", "SQS calls per part, relayPassAll of 10,000 parts",
                    String.format(Locale.ROOT, "%.3f (%,d SendMessageBatch calls, the most of %d repetitions)",
                            worstCallsPerPart, maxBatchCalls, REPETITIONS),
                    String.format(Locale.ROOT, "<= %.1f", MAX_CALLS_PER_PART),
                    Verdict.of(worstCallsPerPart <= MAX_CALLS_PER_PART));
            table.add("2 fan-out", "10,000 x relayPass / relayPassAll, ratio of wall-time medians",
                    String.format(Locale.ROOT, "%.1fx (%.0f ms / %.0f ms)", speedup, singleMedian, batchedMedian),
                    String.format(Locale.ROOT, ">= %.0fx", MIN_SPEEDUP), Verdict.of(speedup >= MIN_SPEEDUP));
            table.add("2 fan-out", "same, ratio per repetition (each pair run back to back)",
                    String.format(Locale.ROOT, "%s; median %.1fx", formatRatios(ratios), Stats.median(ratios)), "-",
                    Verdict.INFO);
            atScale(sqs, relay, table, out);
        }
    }

    /**
     * relayPassAll (up to {@code BatchPass.MAX_IN_FLIGHT} calls at a time) against the same batches
     * sent one after another (relayPassAll of ten packets at a time), at 10,000 and 100,000 parts.
     */
    private static void atScale(SqsServer sqs, Relay relay, ResultTable table, PrintStream out) {
        out.printf(Locale.ROOT, "at scale: relayPassAll with calls in flight against sequential batches, parts of a "
                + "%,d-byte packet%n", Packets.TARGET_BYTES);
        for (int parts : SCALE_PARTS) {
            Side sequential = measureSequentialBatches(sqs, relay, "bench-fanout-seq-" + parts, parts);
            Side concurrent = measure(sqs, relay, "bench-fanout-conc-" + parts, parts, true);
            double perPart = (double) concurrent.calls() / parts;
            out.printf(Locale.ROOT, "  %,7d parts: relayPassAll %,7.0f ms in %,d calls (%.3f per part); sequential "
                    + "batches %,7.0f ms in %,d calls; %.1fx%n", parts, concurrent.millis(), concurrent.calls(), perPart,
                    sequential.millis(), sequential.calls(), sequential.millis() / concurrent.millis());
            String figure = String.format(Locale.ROOT, "%,.0f ms (%.3f calls per part); sequential batches %,.0f ms, "
                    + "%.1fx", concurrent.millis(), perPart, sequential.millis(),
                    sequential.millis() / concurrent.millis());
            if (parts == 100_000) {
                table.add("2 fan-out", "relayPassAll of 100,000 parts, wall time", figure,
                        String.format(Locale.ROOT, "< %.0f s, <= 0.1 calls/part", MAX_SCALE_MILLIS / 1000),
                        Verdict.of(concurrent.millis() < MAX_SCALE_MILLIS && perPart <= MAX_CALLS_PER_PART));
            } else {
                table.add("2 fan-out", String.format(Locale.ROOT, "relayPassAll of %,d parts, wall time", parts), figure,
                        "-", Verdict.INFO);
            }
        }
    }

    /** The batches of one fan-out sent one after another: relayPassAll of ten packets at a time. */
    private static Side measureSequentialBatches(SqsServer sqs, Relay relay, String queueName, int parts) {
        return measure(sqs, queueName, parts, split -> {
            for (int i = 0; i < parts; i += 10) {
                relay.relayPassAll(split.subList(i, Math.min(parts, i + 10)));
            }
        });
    }

    /**
     * Sends {@code parts} parts into a new queue, batched or one by one, and deletes the queue.
     *
     * @throws IllegalStateException if the queue does not hold exactly one message per part
     */
    private static Side measure(SqsServer sqs, Relay relay, String queueName, int parts, boolean batched) {
        return measure(sqs, queueName, parts, split -> {
            if (batched) {
                relay.relayPassAll(split);
            } else {
                for (RelayPacket part : split) {
                    relay.relayPass(part);
                }
            }
        });
    }

    /** Sends a split of the realistic packet into a new queue as {@code send} does, times it, and deletes the queue. */
    private static Side measure(SqsServer sqs, String queueName, int parts,
            java.util.function.Consumer<List<RelayPacket>> send) {
        String url = sqs.createQueue(queueName);
        try {
            List<RelayPacket> split = RelayPacket.fromJson(Packets.realistic(url)).split(parts);
            int callsBefore = sqs.totalCalls();
            int batchBefore = sqs.calls("SendMessageBatch");
            int singleBefore = sqs.calls("SendMessage");
            long t0 = System.nanoTime();
            send.accept(split);
            long nanos = System.nanoTime() - t0;
            Side side = new Side(nanos / 1e6, sqs.totalCalls() - callsBefore,
                    sqs.calls("SendMessageBatch") - batchBefore, sqs.calls("SendMessage") - singleBefore);
            long held = sqs.messagesHeld(url);
            if (held != parts) {
                throw new IllegalStateException(queueName + " holds " + held + " messages after sending " + parts
                        + " parts");
            }
            return side;
        } finally {
            sqs.client().deleteQueue(r -> r.queueUrl(url));
        }
    }

    private static String formatRatios(double[] ratios) {
        StringBuilder b = new StringBuilder();
        for (double r : ratios) {
            b.append(b.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.1fx", r));
        }
        return b.toString();
    }
}
