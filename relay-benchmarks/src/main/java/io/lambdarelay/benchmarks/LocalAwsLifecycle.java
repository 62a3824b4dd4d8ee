package io.lambdarelay.benchmarks;

import io.lambdarelay.Relay;
import io.lambdarelay.local.LocalAws;
import java.util.Locale;

/**
 * A fresh JVM's LocalAws lifecycle, as a test class sees it: {@code LocalAws.start()}, a 20-hop
 * relay chain (queues, a mapping, hand-offs, the tear-down), {@code awaitIdle}, {@code close()};
 * then a second start and close in the same JVM. Prints one line:
 * {@code LIFECYCLE <first start ms> <first close ms> <second start ms> <second close ms>}.
 */
public final class LocalAwsLifecycle {
    /** The report line's prefix. */
    public static final String PREFIX = "LIFECYCLE ";
    static final int HOPS = 20;

    private LocalAwsLifecycle() {
    }

    public static void main(String[] args) throws Exception {
        long t0 = System.nanoTime();
        LocalAws aws = LocalAws.start();
        long t1 = System.nanoTime();
        try (Relay relay = Relay.builder().sqsClient(aws.sqsClient()).lambdaClient(aws.lambdaClient()).build()) {
            LocalStackBenchmark.OneUnitPerHop worker = new LocalStackBenchmark.OneUnitPerHop(relay);
            aws.registerFunction(LocalStackBenchmark.FUNCTION, java.time.Duration.ofSeconds(10), worker);
            LocalStackBenchmark.chain(aws, relay, worker, HOPS);
        }
        long t2 = System.nanoTime();
        aws.close();
        long t3 = System.nanoTime();
        LocalAws again = LocalAws.start();
        long t4 = System.nanoTime();
        again.close();
        long t5 = System.nanoTime();
        System.out.println(String.format(Locale.ROOT, "%s%d %d %d %d", PREFIX, (t1 - t0) / 1_000_000,
                (t3 - t2) / 1_000_000, (t4 - t3) / 1_000_000, (t5 - t4) / 1_000_000));
    }
}
