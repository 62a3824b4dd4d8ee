package io.lambdarelay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.Context;
import io.lambdarelay.ledger.PartTally;
import io.lambdarelay.local.testing.Await;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/** Fan-out relays end to end on relay-local: exact fan-in, a shared rate limit, tolerated failures. */
class ParallelRelayOnLocalAwsTest extends OnLocalAwsWithLedger {
    /** One unit per part unless "units" says more; fails the parts listed in "fail". */
    static class PartWorker extends RelayWorker {
        final Map<Integer, AtomicInteger> processed = new ConcurrentHashMap<>();
        final List<Long> unitStartsNanos = Collections.synchronizedList(new ArrayList<>());
        final AtomicInteger completions = new AtomicInteger();
        final List<RelayFailure> relayFailures = Collections.synchronizedList(new ArrayList<>());
        final Set<Integer> failing;

        PartWorker(Relay relay, Set<Integer> failing) {
            super(relay);
            this.failing = failing;
        }

        @Override
        protected boolean processUnit(RelayPacket pkt) {
            unitStartsNanos.add(System.nanoTime());
            if (failing.contains(pkt.part())) {
                throw new IllegalStateException("injected failure");
            }
            processed.computeIfAbsent(pkt.part(), k -> new AtomicInteger()).incrementAndGet();
            long n = pkt.getLong("n", 0) + 1;
            pkt.put("n", n);
            return n < pkt.getLong("units", 1);
        }

        @Override
        protected void onComplete(RelayPacket pkt, Context context) {
            completions.incrementAndGet();
        }

        @Override
        protected void onRelayFailed(RelayPacket pkt, RelayFailure reason, Context context) {
            relayFailures.add(reason);
        }
    }

    /** Whether the relays run in their worker's pool; a subclass says so. */
    boolean pooled() {
        return false;
    }

    private RelayPacket setup(String worker, RelaySetup options) {
        return relay.setup(null, worker, pooled() ? options.toBuilder().pooled(true).build() : options);
    }

    /** Its queue and mapping gone; pooled, its entry in the ledger ended (the pool stays). */
    private boolean relayGone(RelayPacket pkt) {
        if (pooled()) {
            return relay.ledger().orElseThrow().pooledRelay(pkt.relayId()).map(r -> r.control().over()).orElse(false);
        }
        return aws.sqsClient().listQueues().queueUrls().stream().noneMatch(u -> u.equals(pkt.queueUrl()))
                && aws.lambdaClient().listEventSourceMappings().eventSourceMappings().stream()
                        .noneMatch(m -> m.uuid().equals(pkt.mappingUuid()));
    }

    private static long dlqCount(RelayPacket pkt) {
        return Long.parseLong(aws.sqsClient().getQueueAttributes(r -> r.queueUrl(pkt.deadLetterQueueUrl().orElseThrow())
                .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES)).attributes()
                .get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES));
    }

    @Test
    void tenThousandParts_withConcurrencyTwo_eachRunOnce_completeOnce_leaveNothing() {
        PartWorker worker = new PartWorker(relay, Set.of());
        aws.registerFunction("fan-10k", Duration.ofSeconds(5), worker);
        RelayPacket pkt = setup("fan-10k", RelaySetup.builder().maximumConcurrency(2).batchSize(10).build());

        relay.fanOut(pkt, 10_000, (i, p) -> { });

        Await.until("all 10,000 parts and the completion", Duration.ofSeconds(120), () -> worker.completions.get() == 1,
                () -> worker.processed.size() + " parts done; " + aws.stats());
        assertEquals(10_000, worker.processed.size());
        assertTrue(worker.processed.values().stream().allMatch(c -> c.get() == 1), "a part ran twice");
        Await.until("the relay to be torn down", Duration.ofSeconds(15), () -> relayGone(pkt));
        assertEquals(1, worker.completions.get());
        assertEquals(new PartTally(10_000, 0, 10_000), relay.ledger().orElseThrow().tally(pkt.relayId()));
        assertTrue(aws.sqsClient().listQueues().queueUrls().stream().noneMatch(u -> u.contains(pkt.relayId())),
                "no queue of the relay is left");
    }

    @Test
    void aRateLimitOf20PerSecond_overA30SecondRun_neverHasAOneSecondWindowAboveOneUnitMorePerRunningPart() {
        PartWorker worker = new PartWorker(relay, Set.of());
        aws.registerFunction("paced", Duration.ofSeconds(2), worker);
        RelayPacket pkt = setup("paced", RelaySetup.builder().rateLimit(20.0).maximumConcurrency(2).build());
        relay.fanOut(pkt, 4, (i, p) -> p.put("units", 100_000L));

        Await.until("a 30 s run", Duration.ofSeconds(60), () -> worker.unitStartsNanos.size() > 1
                && worker.unitStartsNanos.get(worker.unitStartsNanos.size() - 1) - worker.unitStartsNanos.get(0)
                        >= 30_000_000_000L);
        relay.tearDown(pkt);
        List<Long> starts;
        synchronized (worker.unitStartsNanos) {
            starts = new ArrayList<>(worker.unitStartsNanos);
        }
        Collections.sort(starts);
        long first = starts.get(0);
        List<Long> inRun = starts.stream().filter(t -> t - first <= 30_000_000_000L).toList();
        int worst = 0;
        for (int i = 0, j = 0; i < inRun.size(); i++) {
            while (inRun.get(i) - inRun.get(j) >= 1_000_000_000L) {
                j++;
            }
            worst = Math.max(worst, i - j + 1);
        }
        double achieved = inRun.size() / 30.0;
        // Each part keeps an absolute schedule and catches up at most one interval, so in any second
        // each of the two running parts starts at most one unit over its share of 10.
        assertTrue(worst <= 22, "busiest 1 s window had " + worst + " units; limit 20 + 1 per running part");
        assertTrue(achieved >= 15, "the limit is used, not just respected: " + achieved + " units/s");
    }

    @Test
    void failedPartsWithinTheTolerance_complete_andTheDlqHoldsThem() {
        PartWorker worker = new PartWorker(relay, Set.of(3, 7));
        aws.registerFunction("tolerant", Duration.ofSeconds(1), worker);
        RelayPacket pkt = setup("tolerant", RelaySetup.builder().maxReceiveCount(1).toleratedFailures(2).build());
        relay.fanOut(pkt, 20, (i, p) -> { });

        Await.until("completion", Duration.ofSeconds(30), () -> worker.completions.get() == 1, aws.stats()::toString);
        assertTrue(worker.relayFailures.isEmpty());
        assertEquals(new PartTally(18, 2, 18), relay.ledger().orElseThrow().tally(pkt.relayId()));
        Await.until("the relay queue to be gone", Duration.ofSeconds(15), () -> relayGone(pkt));
        assertEquals(2, dlqCount(pkt), "the kept DLQ holds exactly the failed parts");
    }

    @Test
    void moreFailedPartsThanTolerated_failTheRelayOnce_andTheDlqHoldsThem() {
        PartWorker worker = new PartWorker(relay, Set.of(1, 2, 3));
        aws.registerFunction("intolerant", Duration.ofSeconds(1), worker);
        RelayPacket pkt = setup("intolerant", RelaySetup.builder().maxReceiveCount(1).toleratedFailures(2)
                .maximumConcurrency(2).parkWhenDeadLettered(false).build());
        relay.fanOut(pkt, 20, (i, p) -> { });

        Await.until("the relay to fail", Duration.ofSeconds(30), () -> !worker.relayFailures.isEmpty(),
                aws.stats()::toString);
        Await.until("the relay queue to be gone", Duration.ofSeconds(15), () -> relayGone(pkt));
        assertEquals(1, worker.relayFailures.size());
        assertEquals(RelayFailure.Reason.TOO_MANY_FAILED_PARTS, worker.relayFailures.get(0).reason());
        assertEquals(0, worker.completions.get());
        assertEquals(3, dlqCount(pkt));
    }
}
