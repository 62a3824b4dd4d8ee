package io.lambdarelay.benchmarks;

import io.lambdarelay.Relay;
import io.lambdarelay.RelayPacket;
import io.lambdarelay.local.testing.SqsServer;
import java.io.PrintStream;
import java.util.Locale;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Part 1: the cost of {@code relayPass} over a raw {@code SqsClient.sendMessage} of the same body,
 * on the same client and embedded ElasticMQ queue.
 *
 * <p>Each pair of samples runs both calls back to back, alternating which goes first (ABBA), so
 * drift in the server, the JIT or the machine lands on both sides alike. The SDK interceptor of
 * {@link SqsServer} counts every call, so a relayPass that made a second call would be caught.
 */
final class HandoffBenchmark {
    static final int WARMUP_PAIRS = 2_000;
    static final int SAMPLE_PAIRS = 3_000;
    static final double MAX_RATIO = 1.10;

    private HandoffBenchmark() {
    }

    static void run(ResultTable table, PrintStream out) {
        try (SqsServer sqs = SqsServer.start();
                Relay relay = Relay.builder().sqsClient(sqs.client()).lambdaClient(new NoCallsLambda()).build()) {
            SqsClient client = sqs.client();
            String queueUrl = sqs.createQueue("bench-handoff");
            RelayPacket pkt = RelayPacket.fromJson(Packets.realistic(queueUrl));
            String body = pkt.toJson();
            out.printf(Locale.ROOT, "packet %,d bytes; %,d warm-up pairs, then %,d measured pairs%n",
                    pkt.sizeBytes(), WARMUP_PAIRS, SAMPLE_PAIRS);

            double[] relayMicros = new double[SAMPLE_PAIRS];
            double[] rawMicros = new double[SAMPLE_PAIRS];
            int passes = 0;
            int passesWithOneCall = 0;
            for (int i = -WARMUP_PAIRS; i < SAMPLE_PAIRS; i++) {
                boolean relayFirst = (i & 1) == 0;
                long relayNanos = 0;
                long rawNanos = 0;
                for (int turn = 0; turn < 2; turn++) {
                    if ((turn == 0) == relayFirst) {
                        int callsBefore = sqs.totalCalls();
                        int sendsBefore = sqs.calls("SendMessage");
                        long t0 = System.nanoTime();
                        relay.relayPass(pkt);
                        relayNanos = System.nanoTime() - t0;
                        passes++;
                        if (sqs.totalCalls() - callsBefore == 1 && sqs.calls("SendMessage") - sendsBefore == 1) {
                            passesWithOneCall++;
                        }
                    } else {
                        long t0 = System.nanoTime();
                        client.sendMessage(r -> r.queueUrl(queueUrl).messageBody(body));
                        rawNanos = System.nanoTime() - t0;
                    }
                }
                if (i >= 0) {
                    relayMicros[i] = relayNanos / 1_000.0;
                    rawMicros[i] = rawNanos / 1_000.0;
                }
            }

            double relayMedian = Stats.median(relayMicros);
            double rawMedian = Stats.median(rawMicros);
            double relayP90 = Stats.percentile(relayMicros, 90);
            double rawP90 = Stats.percentile(rawMicros, 90);
            double ratio = relayMedian / rawMedian;
            out.printf(Locale.ROOT, "  %-22s median %7.0f us   p90 %7.0f us%n", "relayPass", relayMedian, relayP90);
            out.printf(Locale.ROOT, "  %-22s median %7.0f us   p90 %7.0f us%n", "SqsClient.sendMessage", rawMedian,
                    rawP90);
            out.printf(Locale.ROOT, "  ratio of medians %.3f, of p90s %.3f; %,d of %,d passes made exactly one SQS call%n",
                    ratio, relayP90 / rawP90, passesWithOneCall, passes);

            table.add("1 hand-off", "relayPass / sendMessage, ratio of medians",
                    String.format(Locale.ROOT, "%.3f (%.0f us / %.0f us)", ratio, relayMedian, rawMedian),
                    String.format(Locale.ROOT, "<= %.2f", MAX_RATIO), Verdict.of(ratio <= MAX_RATIO));
            table.add("1 hand-off", "relayPass / sendMessage, ratio of p90s",
                    String.format(Locale.ROOT, "%.3f (%.0f us / %.0f us)", relayP90 / rawP90, relayP90, rawP90), "-",
                    Verdict.INFO);
            table.add("1 hand-off", "SQS calls per relayPass",
                    String.format(Locale.ROOT, "exactly 1 (SendMessage) in %,d of %,d passes", passesWithOneCall, passes),
                    "exactly 1", Verdict.of(passesWithOneCall == passes));
        }
    }
}
