package io.lambdarelay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.amazonaws.services.lambda.runtime.Context;
import io.lambdarelay.local.LocalAws;
import io.lambdarelay.local.LocalContext;
import io.lambdarelay.local.LocalStats;
import io.lambdarelay.local.testing.Await;
import io.lambdarelay.testing.CapturedStderr;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * End to end through the real SDK clients on relay-local: Lambda's REST API, event-source mappings
 * polling embedded SQS, timeouts, the recursion cut-off and redrive to the DLQ.
 */
class RelayOnLocalAwsTest {
    private static LocalAws aws;
    private static Relay relay;

    @BeforeAll
    static void start() {
        aws = LocalAws.start();
        relay = Relay.builder().sqsClient(aws.sqsClient()).lambdaClient(aws.lambdaClient()).build();
    }

    @AfterAll
    static void stop() {
        aws.close();
    }

    /**
     * Sums 1..target, one number per unit. Each invocation's budget is a fake clock that the units
     * move by 3 s of a 10 s invocation (1 s reserve, 6 s expected per unit), so exactly two units run per
     * hop, whatever the machine's speed.
     */
    static class SummingWorker extends RelayWorker {
        private final ThreadLocal<AtomicLong> remaining = new ThreadLocal<>();
        final AtomicReference<RelayPacket> done = new AtomicReference<>();
        final AtomicInteger completions = new AtomicInteger();

        SummingWorker(Relay relay) {
            super(relay);
        }

        @Override
        protected TimeBudget newBudget(Context context, Duration unitHint) {
            AtomicLong fake = new AtomicLong(10_000);
            remaining.set(fake);
            return TimeBudget.builder().remainingMillis(fake::get).reserve(Duration.ofMillis(1_000)).build();
        }

        @Override
        protected boolean processUnit(RelayPacket pkt) throws Exception {
            remaining.get().addAndGet(-3_000);
            long next = pkt.getLong("next", 1);
            pkt.put("sum", pkt.getLong("sum", 0) + next);
            pkt.put("next", next + 1);
            return next < pkt.getLong("target", 0);
        }

        @Override
        protected void onComplete(RelayPacket pkt, Context context) {
            completions.incrementAndGet();
            done.set(pkt);
        }
    }

    private static LocalContext startContext() {
        return LocalContext.of("start", Duration.ofSeconds(30));
    }

    /** Whether the relays run in their worker's pool; a subclass says so. */
    boolean pooled() {
        return false;
    }

    private RelayPacket setup(String worker, RelaySetup options) {
        return relay.setup(startContext(), worker, pooled() ? options.toBuilder().pooled(true).build() : options);
    }

    /** Its queue, dead-letter queue and mapping gone; pooled (this relay has no ledger), none of its packets left. */
    private boolean relayGone(RelayPacket pkt) {
        if (pooled()) {
            return aws.sqsClient().getQueueAttributes(r -> r.queueUrl(pkt.queueUrl()).attributeNames(
                    QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                    QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)).attributes().values().stream()
                    .mapToLong(Long::parseLong).sum() == 0;
        }
        boolean queueGone = aws.sqsClient().listQueues().queueUrls().stream().noneMatch(u -> u.equals(pkt.queueUrl()));
        boolean mappingGone = aws.lambdaClient().listEventSourceMappings().eventSourceMappings().stream()
                .noneMatch(m -> m.uuid().equals(pkt.mappingUuid()));
        return queueGone && mappingGone;
    }

    private static long dlqCount(RelayPacket pkt) {
        String dlq = pkt.deadLetterQueueUrl().orElseThrow();
        return aws.sqsClient().getQueueAttributes(r -> r.queueUrl(dlq).attributeNames(
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES)).attributes().values().stream()
                .mapToLong(Long::parseLong).sum();
    }

    @Test
    void aHundredHopChain_completesWithExactResults_andLeavesNothingBehind() {
        SummingWorker worker = new SummingWorker(relay);
        aws.registerFunction("summer", Duration.ofSeconds(2), worker);
        long invocationsBefore = aws.stats().invocations();

        RelayPacket pkt = setup("summer", RelaySetup.defaults()).put("target", 200L);
        relay.relayPass(pkt);

        Await.until("the chain to complete", Duration.ofSeconds(60), () -> worker.done.get() != null,
                () -> aws.stats().toString());
        RelayPacket last = worker.done.get();
        assertEquals(200L * 201 / 2, last.getLong("sum", 0));
        assertEquals(100, last.hop(), "two units per hop: 100 hand-offs");
        assertEquals(1, worker.completions.get());
        Await.until("queue, DLQ and mapping to be gone", Duration.ofSeconds(15), () -> relayGone(pkt),
                () -> aws.lambdaClient().listEventSourceMappings().eventSourceMappings().toString());
        assertEquals(100, aws.stats().invocations() - invocationsBefore);
        aws.awaitIdle(Duration.ofSeconds(10));
    }

    @Test
    void withRecursionLeftAtTerminate_theChainStallsAtAbout16Hops_andThePacketLandsInTheDlq() {
        assumeFalse(pooled(), "not in pooled mode: a pool is created with its worker recursion allowed, once; this is about a setup that leaves it at Terminate");
        SummingWorker worker = new SummingWorker(relay);
        String functionArn = aws.registerFunction("terminated", Duration.ofSeconds(1), worker).arn();
        LocalStats before = aws.stats();

        RelayPacket pkt = relay.setup(startContext(), "terminated",
                RelaySetup.builder().manageRecursion(false).maxReceiveCount(1).build()).put("target", 1_000L);
        CapturedStderr stderr = CapturedStderr.start();
        try (stderr) {
            relay.relayPass(pkt);
            Await.until("the stalled packet to reach the DLQ", Duration.ofSeconds(75), () -> dlqCount(pkt) == 1,
                    () -> aws.stats().toString());
        }
        String warning = "worker function " + functionArn + " has recursion config Terminate";
        assertEquals(1, stderr.text().split(java.util.regex.Pattern.quote(warning), -1).length - 1,
                "the worker said so once, at its first invocation: " + stderr.text());
        LocalStats after = aws.stats();
        assertTrue(after.recursionDrops() - before.recursionDrops() >= 1);
        long ran = after.invocations() - before.invocations();
        assertTrue(ran >= 15 && ran <= 17, "Lambda cuts the loop after about 16 invocations, ran " + ran);
        assertEquals(0, worker.completions.get());
        TearDownResult result = relay.tearDown(pkt);
        assertTrue(result.dlqKept(), "the stalled packet waits in the kept DLQ");
    }

    @Test
    void aRelayTheNodePackageStarted_goesPast16Hops_whenTheWorkerAllowsItsLoop() {
        assumeFalse(pooled(), "not in pooled mode: the Node package sets relays up on queues of their own");
        SummingWorker worker = new SummingWorker(relay);
        aws.registerFunction("node-continued", Duration.ofSeconds(1), worker);
        // As the Node package sets a relay up: a queue, a mapping, and no recursion config change.
        String queueUrl = aws.sqsClient().createQueue(r -> r.queueName("relay-node-continued-0001")
                .attributes(java.util.Map.of(QueueAttributeName.VISIBILITY_TIMEOUT, "30"))).queueUrl();
        String arn = aws.sqsClient().getQueueAttributes(r -> r.queueUrl(queueUrl)
                .attributeNames(QueueAttributeName.QUEUE_ARN)).attributes().get(QueueAttributeName.QUEUE_ARN);
        String uuid = aws.lambdaClient().createEventSourceMapping(r -> r.eventSourceArn(arn)
                .functionName("node-continued").batchSize(1).functionResponseTypes(
                        software.amazon.awssdk.services.lambda.model.FunctionResponseType.REPORT_BATCH_ITEM_FAILURES))
                .uuid();
        // What the docs tell a user moving from the Node package to do: allow the worker's loop.
        aws.lambdaClient().putFunctionRecursionConfig(r -> r.functionName("node-continued")
                .recursiveLoop(software.amazon.awssdk.services.lambda.model.RecursiveLoop.ALLOW));

        aws.sqsClient().sendMessage(r -> r.queueUrl(queueUrl).messageBody("{\"QueueUrl\":\"" + queueUrl
                + "\",\"UUID\":\"" + uuid + "\",\"stats\":{\"sqsCount\":0},\"target\":60}"));

        Await.until("the Node-started chain to complete", Duration.ofSeconds(60), () -> worker.done.get() != null,
                () -> aws.stats().toString());
        RelayPacket last = worker.done.get();
        assertEquals(60L * 61 / 2, last.getLong("sum", 0), "exact");
        assertEquals(29, last.hop(), "30 invocations (the Node packet arrives at hop 0), past Lambda's 16-hop cut-off");
        assertEquals(1, worker.completions.get());
        Await.until("its queue and mapping to be torn down", Duration.ofSeconds(15),
                () -> aws.sqsClient().listQueues().queueUrls().stream().noneMatch(queueUrl::equals));
    }

    /** Sums like {@link SummingWorker}; the unit that adds {@code hangAt} hangs the first time it runs. */
    static class HangingWorker extends SummingWorker {
        final AtomicInteger hangs = new AtomicInteger();
        final java.util.Set<String> messagesSeen = java.util.concurrent.ConcurrentHashMap.newKeySet();
        final AtomicInteger messagesSeenTwice = new AtomicInteger();
        private final long hangAt;
        private final boolean stubborn;
        final CountDownLatch release = new CountDownLatch(1);

        HangingWorker(Relay relay, long hangAt, boolean stubborn) {
            super(relay);
            this.hangAt = hangAt;
            this.stubborn = stubborn;
        }

        @Override
        protected boolean processUnit(RelayPacket pkt) throws Exception {
            if (pkt.getLong("next", 1) == hangAt && hangs.getAndIncrement() == 0) {
                if (!stubborn) {
                    new CountDownLatch(1).await(); // until interrupted
                }
                while (release.getCount() > 0) { // ignores interrupts: only Lambda's timeout ends it
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        // keeps hanging
                    }
                }
            }
            return super.processUnit(pkt);
        }

        @Override
        protected void onFailure(com.amazonaws.services.lambda.runtime.events.SQSEvent.SQSMessage message,
                RelayPacket pkt, Exception error, Context context) {
        }

        void saw(String messageId) {
            if (!messagesSeen.add(messageId)) {
                messagesSeenTwice.incrementAndGet();
            }
        }
    }

    @Test
    void aUnitThatHangs_isHandedOnAtTheDeadline_andOnlyThatUnitRunsAgain() {
        HangingWorker worker = new HangingWorker(relay, 7, false);
        aws.registerFunction("hangs-once", Duration.ofSeconds(1), worker);
        long timeoutsBefore = aws.stats().timeouts();

        RelayPacket pkt = setup("hangs-once", RelaySetup.defaults()).put("target", 20L);
        relay.relayPass(pkt);

        Await.until("the chain to complete", Duration.ofSeconds(40), () -> worker.done.get() != null,
                () -> aws.stats().toString());
        assertEquals(20L * 21 / 2, worker.done.get().getLong("sum", 0), "exact: the cut-short unit left no trace");
        assertEquals(2, worker.hangs.get(), "the unit that hung ran once more, and only it");
        assertEquals(0, aws.stats().timeouts() - timeoutsBefore, "interrupted at the hand-off, it ended in time");
        assertEquals(1, worker.completions.get());
    }

    @Test
    void aUnitThatHangsThroughTheTimeout_isHandedOnAtTheDeadline_soNothingWaitsForTheVisibilityTimeout() {
        HangingWorker worker = new HangingWorker(relay, 5, true);
        aws.registerFunction("hangs-through", Duration.ofSeconds(1), (com.amazonaws.services.lambda.runtime
                .RequestHandler<com.amazonaws.services.lambda.runtime.events.SQSEvent,
                        com.amazonaws.services.lambda.runtime.events.SQSBatchResponse>) (event, ctx) -> {
                    event.getRecords().forEach(m -> worker.saw(m.getMessageId()));
                    return worker.handleRequest(event, ctx);
                });
        long timeoutsBefore = aws.stats().timeouts();
        try {
            RelayPacket pkt = setup("hangs-through", RelaySetup.defaults()).put("target", 20L);
            relay.relayPass(pkt);

            Await.until("the chain to complete", Duration.ofSeconds(40), () -> worker.done.get() != null,
                    () -> aws.stats().toString());
            assertEquals(20L * 21 / 2, worker.done.get().getLong("sum", 0));
            Await.until("the hung invocation to time out", Duration.ofSeconds(30),
                    () -> aws.stats().timeouts() - timeoutsBefore == 1, () -> aws.stats().toString());
            assertEquals(0, worker.messagesSeenTwice.get(), "the hung invocation's message was deleted, never redelivered");
            assertEquals(1, worker.completions.get());
        } finally {
            worker.release.countDown();
        }
    }

    @Test
    void aPacketThatAlwaysFails_landsInTheDlqAfterMaxReceiveCount_andTearDownKeepsIt() {
        AtomicInteger attempts = new AtomicInteger();
        SummingWorker worker = new SummingWorker(relay) {
            @Override
            protected boolean processUnit(RelayPacket pkt) throws Exception {
                if (pkt.getLong("next", 1) >= 5) {
                    attempts.incrementAndGet();
                    throw new IllegalStateException("poison");
                }
                return super.processUnit(pkt);
            }
        };
        aws.registerFunction("poisoned", Duration.ofSeconds(1), worker);

        RelayPacket pkt = setup("poisoned", RelaySetup.builder().maxReceiveCount(2).build())
                .put("target", 20L);
        relay.relayPass(pkt);

        Await.until("the poison packet to reach the DLQ", Duration.ofSeconds(40), () -> dlqCount(pkt) == 1,
                () -> aws.stats().toString());
        assertEquals(2, attempts.get(), "received maxReceiveCount times, then moved by the redrive policy");
        RelayPacket dead = RelayPacket.fromJson(aws.sqsClient().receiveMessage(r -> r.queueUrl(pkt.deadLetterQueueUrl().orElseThrow())).messages().get(0).body());
        assertEquals(5, dead.getLong("next", 0), "the DLQ holds the packet as last handed off: nothing lost");
        TearDownResult result = relay.tearDown(pkt);
        assertTrue(result.dlqKept());
        if (!pooled()) { // a pool's queues stay, and carry no relay's id in their names
            assertEquals(List.of(pkt.deadLetterQueueUrl().orElseThrow()), aws.sqsClient().listQueues().queueUrls()
                    .stream().filter(u -> u.contains(pkt.relayId())).toList());
        }
    }
}
