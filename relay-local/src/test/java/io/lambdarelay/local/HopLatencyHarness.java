package io.lambdarelay.local;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import software.amazon.awssdk.services.lambda.model.RecursiveLoop;

/**
 * Measures the cost of one relay hop on {@link LocalAws}: from the SendMessage a function makes to
 * its own queue to the start of the invocation that receives it, over a chain of empty units.
 *
 * <p>Run: {@code mvn -B -q -pl relay-local test-compile exec:java}
 * (optional arguments: hops, default 1000; warm-up hops, default 300; pollers per mapping, default
 * {@value LocalAws#DEFAULT_CONCURRENCY}), e.g. {@code -Dexec.args="1000 300 1"}.
 */
public final class HopLatencyHarness {

    private HopLatencyHarness() {
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("org.slf4j.simpleLogger.log.io.lambdarelay", "info");
        int hops = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int warmUp = args.length > 1 ? Integer.parseInt(args[1]) : 300;
        int pollers = args.length > 2 ? Integer.parseInt(args[2]) : LocalAws.DEFAULT_CONCURRENCY;
        long started = System.nanoTime();
        try (LocalAws aws = LocalAws.builder().defaultConcurrency(pollers).start()) {
            System.out.printf("LocalAws.start(): %d ms; %d poller(s) per mapping%n",
                    (System.nanoTime() - started) / 1_000_000, pollers);
            TestQueues.Queue q = TestQueues.create(aws.sqsClient(), "hops", 60);
            AtomicReference<Chain> chain = new AtomicReference<>();
            aws.registerFunction("hopper", Duration.ofSeconds(10), (event, context) -> {
                long now = System.nanoTime();
                Chain c = chain.get();
                int hop = Integer.parseInt(event.getRecords().get(0).getBody());
                c.invoked[hop] = now;
                if (hop + 1 < c.invoked.length) {
                    c.sent[hop + 1] = System.nanoTime();
                    aws.sqsClient().sendMessage(b -> b.queueUrl(q.url()).messageBody(Integer.toString(hop + 1)));
                } else {
                    c.done.countDown();
                }
                return new SQSBatchResponse(List.of());
            });
            aws.lambdaClient().putFunctionRecursionConfig(b -> b.functionName("hopper")
                    .recursiveLoop(RecursiveLoop.ALLOW));
            aws.lambdaClient().createEventSourceMapping(b -> b.eventSourceArn(q.arn()).functionName("hopper")
                    .batchSize(1));

            run(aws, q, chain, warmUp);
            Chain measured = run(aws, q, chain, hops);

            long[] latencies = new long[hops - 1];
            for (int i = 1; i < hops; i++) {
                latencies[i - 1] = measured.invoked[i] - measured.sent[i];
            }
            Arrays.sort(latencies);
            System.out.printf("hop latency (send -> next invocation start) over %d hops: median %.2f ms, "
                            + "p90 %.2f ms, p99 %.2f ms, max %.2f ms%n", hops - 1,
                    percentile(latencies, 0.50), percentile(latencies, 0.90), percentile(latencies, 0.99),
                    latencies[latencies.length - 1] / 1e6);
            System.out.printf("chain of %d hops of empty units: %.2f s (%.2f ms per hop)%n", hops,
                    measured.elapsedNanos / 1e9, measured.elapsedNanos / 1e6 / hops);
            System.out.println(aws.stats());
        }
    }

    private static Chain run(LocalAws aws, TestQueues.Queue q, AtomicReference<Chain> chain, int hops)
            throws InterruptedException {
        Chain c = new Chain(hops);
        chain.set(c);
        long start = System.nanoTime();
        aws.sqsClient().sendMessage(b -> b.queueUrl(q.url()).messageBody("0"));
        if (!c.done.await(5, TimeUnit.MINUTES)) {
            throw new IllegalStateException("chain of " + hops + " hops did not finish: " + aws.stats());
        }
        c.elapsedNanos = System.nanoTime() - start;
        aws.awaitIdle(Duration.ofSeconds(10));
        return c;
    }

    private static double percentile(long[] sorted, double p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)] / 1e6;
    }

    /** Timestamps of one chain; each slot is written by one invocation and read after the chain. */
    private static final class Chain {
        final long[] invoked;
        final long[] sent;
        final CountDownLatch done = new CountDownLatch(1);
        long elapsedNanos;

        Chain(int hops) {
            invoked = new long[hops];
            sent = new long[hops];
        }
    }
}
