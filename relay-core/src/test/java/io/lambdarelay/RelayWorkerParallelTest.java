package io.lambdarelay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import io.lambdarelay.ledger.InMemoryRelayLedger;
import io.lambdarelay.ledger.PartTally;
import io.lambdarelay.local.LocalContext;
import io.lambdarelay.local.testing.MutableClock;
import io.lambdarelay.local.testing.RecordingLambda;
import io.lambdarelay.local.testing.SqsServer;
import io.lambdarelay.testing.Fixtures;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.model.Message;

/** RelayWorker's ledger claims, fan-in, guards, pacing, throttling and watchdog; no sleeps. */
class RelayWorkerParallelTest extends OnEmbeddedSqs {
    private static final Instant START = Instant.parse("2026-11-23T12:00:00Z");

    private MutableClock clock;
    private InMemoryRelayLedger ledger;
    private Relay relay;
    private final MutableClock invocationClock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private LocalContext ctx;

    @BeforeEach
    void setUp() {
        clock = new MutableClock(START);
        ledger = new InMemoryRelayLedger();
        RecordingLambda lambda = new RecordingLambda(SqsServer.REGION).function("worker", 10);
        relay = Relay.builder().sqsClient(sqs.client()).lambdaClient(lambda).clock(clock).ledger(ledger).build();
        ctx = newInvocation();
    }

    @AfterEach
    void clean() {
        sqs.deleteAllQueues();
    }

    /** Counts to "target"; each unit costs unitMillis of fake time; can throw on a chosen count. */
    private class Worker extends RelayWorker {
        final long unitMillis;
        final List<Long> unitStarts = new ArrayList<>();
        final List<RelayPacket> completed = new ArrayList<>();
        final List<RelayPacket> partsCompleted = new ArrayList<>();
        final List<RelayFailure> relayFailures = new ArrayList<>();
        long throttleAt = -1;
        boolean alwaysFail;

        Worker(Relay relay, long unitMillis) {
            super(relay);
            this.unitMillis = unitMillis;
        }

        @Override
        protected boolean processUnit(RelayPacket pkt) {
            if (alwaysFail) {
                throw new IllegalStateException("poison");
            }
            unitStarts.add(clock.millis());
            long n = pkt.getLong("n", 0) + 1;
            pkt.put("n", n);
            invocationClock.advance(Duration.ofMillis(unitMillis));
            clock.advance(Duration.ofMillis(unitMillis));
            if (n == throttleAt) {
                throttleAt = -1;
                throw new RelayThrottledException("vendor said 429");
            }
            return n < pkt.getLong("target", 1);
        }

        @Override
        protected void pause(long millis) {
            invocationClock.advance(Duration.ofMillis(millis));
            clock.advance(Duration.ofMillis(millis));
        }

        @Override
        protected void onComplete(RelayPacket pkt, Context context) {
            completed.add(pkt);
        }

        @Override
        protected void onPartComplete(RelayPacket pkt, Context context) {
            partsCompleted.add(pkt);
        }

        @Override
        protected void onRelayFailed(RelayPacket pkt, RelayFailure reason, Context context) {
            relayFailures.add(reason);
        }
    }

    private static String queueArn(String url) {
        return "arn:aws:sqs:" + SqsServer.REGION + ":" + SqsServer.ACCOUNT + ":" + url.substring(url.lastIndexOf('/') + 1);
    }

    private SQSEvent event(RelayPacket pkt, String messageId) {
        return Fixtures.eventFor(queueArn(pkt.queueUrl()), messageId, pkt.toJson());
    }

    private SQSEvent eventOnAttempt(RelayPacket pkt, String messageId, int receiveCount) {
        SQSEvent e = event(pkt, messageId);
        e.getRecords().get(0).setAttributes(Map.of("ApproximateReceiveCount", Integer.toString(receiveCount)));
        return e;
    }

    private List<RelayPacket> drain(String queueUrl) {
        List<RelayPacket> out = new ArrayList<>();
        while (true) {
            List<Message> msgs = sqs.client().receiveMessage(r -> r.queueUrl(queueUrl).maxNumberOfMessages(10)
                    .visibilityTimeout(300)).messages();
            if (msgs.isEmpty()) {
                return out;
            }
            for (Message m : msgs) {
                out.add(RelayPacket.fromJson(m.body()));
                sqs.client().deleteMessage(r -> r.queueUrl(queueUrl).receiptHandle(m.receiptHandle()));
            }
        }
    }

    private boolean relayGone(RelayPacket pkt) {
        return sqs.queueUrls().stream().noneMatch(u -> u.equals(pkt.queueUrl()));
    }

    // ---- ledger: claims and forks ----------------------------------------------------------------

    @Test
    void aSecondMessageForAClaimedHop_isAForkAndDoesNoWork() {
        RelayPacket pkt = relay.setup(null, "worker").put("target", 100L);
        Worker worker = new Worker(relay, 1_000);
        worker.handleRequest(event(pkt, "m-original"), ctx);
        int unitsAfterFirst = worker.unitStarts.size();
        drain(pkt.queueUrl());

        ctx = newInvocation();
        SQSBatchResponse forked = worker.handleRequest(event(pkt, "m-duplicate"), ctx);

        assertTrue(forked.getBatchItemFailures().isEmpty(), "a fork is acknowledged, not retried");
        assertEquals(unitsAfterFirst, worker.unitStarts.size(), "no unit ran for the fork");
        assertEquals(0, sqs.messagesHeld(pkt.queueUrl()), "the fork passed nothing on");
    }

    @Test
    void aRedeliveryOfTheSameMessage_takesTheClaimOverAndWorks() {
        RelayPacket pkt = relay.setup(null, "worker").put("target", 100L);
        Worker worker = new Worker(relay, 1_000);
        worker.handleRequest(event(pkt, "m-1"), ctx);
        drain(pkt.queueUrl());
        ctx = newInvocation();
        worker.handleRequest(event(pkt, "m-1"), ctx);
        assertEquals(16, worker.unitStarts.size(), "8 units each time");
        assertEquals(1, drain(pkt.queueUrl()).size());
    }

    // ---- fan-in ----------------------------------------------------------------------------------

    @Test
    void fanIn_lastPartCompletesOnceAndTearsDownOnce_evenWithRedeliveries() {
        RelayPacket pkt = relay.setup(null, "worker").put("target", 2L);
        relay.fanOut(pkt, 5, (i, p) -> { });
        List<RelayPacket> parts = drain(pkt.queueUrl());
        assertEquals(5, parts.size());
        Worker worker = new Worker(relay, 10);
        for (int i = 0; i < parts.size(); i++) {
            worker.handleRequest(event(parts.get(i), "part-" + i), ctx);
            assertEquals(i < 4 ? 0 : 1, worker.completed.size());
        }
        assertEquals(5, worker.partsCompleted.size());
        assertTrue(relayGone(pkt));
        assertEquals(new PartTally(5, 0, 10), ledger.tally(pkt.relayId()));

        // a duplicate of the last part (another SQS message for the same hop) is a fork: no second completion
        worker.handleRequest(event(parts.get(4), "part-4-duplicate"), ctx);
        assertEquals(1, worker.completed.size());
        // a redelivery of the completing message after its hook ran: only the (idempotent) tear-down again
        worker.handleRequest(event(parts.get(4), "part-4"), ctx);
        assertEquals(1, worker.completed.size());
    }

    @Test
    void fanIn_failedPartsWithinTheTolerance_stillComplete() {
        RelayPacket pkt = relay.setup(null, "worker", RelaySetup.builder().toleratedFailures(1).maxReceiveCount(3).build())
                .put("target", 1L);
        relay.fanOut(pkt, 3, (i, p) -> { });
        List<RelayPacket> parts = drain(pkt.queueUrl());
        Worker ok = new Worker(relay, 10);
        Worker poison = new Worker(relay, 10);
        poison.alwaysFail = true;

        SQSBatchResponse first = poison.handleRequest(eventOnAttempt(parts.get(0), "p0", 1), ctx);
        assertEquals(1, first.getBatchItemFailures().size());
        assertEquals(0, ledger.tally(pkt.relayId()).failed(), "not the last attempt yet");
        poison.handleRequest(eventOnAttempt(parts.get(0), "p0", 3), ctx);
        assertEquals(1, ledger.tally(pkt.relayId()).failed(), "the last attempt counts the part as failed");

        ok.handleRequest(event(parts.get(1), "p1"), ctx);
        ok.handleRequest(event(parts.get(2), "p2"), ctx);
        assertEquals(1, ok.completed.size());
        assertTrue(ok.relayFailures.isEmpty());
    }

    @Test
    void fanIn_moreFailedPartsThanTolerated_failsTheRelayOnce() {
        RelayPacket pkt = relay.setup(null, "worker", RelaySetup.builder().maxReceiveCount(2).parkWhenDeadLettered(false)
                .build()).put("target", 1L);
        relay.fanOut(pkt, 3, (i, p) -> { });
        List<RelayPacket> parts = drain(pkt.queueUrl());
        Worker poison = new Worker(relay, 10);
        poison.alwaysFail = true;
        poison.handleRequest(eventOnAttempt(parts.get(0), "p0", 2), ctx);
        poison.handleRequest(eventOnAttempt(parts.get(1), "p1", 2), ctx);
        assertEquals(1, poison.relayFailures.size());
        assertEquals(RelayFailure.Reason.TOO_MANY_FAILED_PARTS, poison.relayFailures.get(0).reason());
        assertTrue(poison.completed.isEmpty());
    }

    // ---- guards ----------------------------------------------------------------------------------

    @Test
    void pastTheDeadline_theRelayIsEndedAndTornDown() {
        RelayPacket pkt = relay.setup(null, "worker", RelaySetup.builder().expiresAfter(Duration.ofHours(1)).build())
                .put("target", 100L);
        clock.advance(Duration.ofHours(2));
        Worker worker = new Worker(relay, 10);
        SQSBatchResponse r = worker.handleRequest(event(pkt, "m"), ctx);
        assertTrue(r.getBatchItemFailures().isEmpty());
        assertEquals(RelayFailure.Reason.DEADLINE, worker.relayFailures.get(0).reason());
        assertEquals(0, worker.unitStarts.size());
        assertTrue(relayGone(pkt));
    }

    @Test
    void pastTheHopLimit_theRelayIsEnded() {
        RelayPacket pkt = relay.setup(null, "worker", RelaySetup.builder().maxHops(3).build()).put("target", 100L);
        Worker worker = new Worker(relay, 2_000);
        for (int hop = 0; hop <= 4; hop++) {
            ctx = newInvocation();
            SQSBatchResponse r = worker.handleRequest(event(pkt, "m" + hop), ctx);
            assertTrue(r.getBatchItemFailures().isEmpty(), "hop " + hop + " " + worker.relayFailures);
            assertEquals(hop < 4 ? 0 : 1, worker.relayFailures.size(), "hops 0-3 run, hop 4 is over the limit");
            if (hop < 4) {
                pkt = drain(pkt.queueUrl()).get(0);
            }
        }
        assertEquals(RelayFailure.Reason.MAX_HOPS, worker.relayFailures.get(0).reason());
        assertTrue(worker.relayFailures.get(0).message().contains("hop 4, over its limit of 3"),
                worker.relayFailures.get(0).message());
        assertTrue(relayGone(pkt));
    }

    @Test
    void hopsWithoutProgress_endTheRelayWithNoProgress() {
        RelayPacket pkt = relay.setup(null, "worker", RelaySetup.builder().maxIdleHops(2).build()).put("target", 100L);
        Worker starved = new Worker(relay, 10) {
            @Override
            protected TimeBudget newBudget(Context context, Duration unitHint) {
                long[] calls = {0};
                // a fresh invocation's full budget at creation, then none: no unit ever fits
                return TimeBudget.builder().remainingMillis(() -> calls[0]++ == 0 ? 10_000 : 0).build();
            }
        };
        for (int hop = 0; hop < 3; hop++) {
            starved.handleRequest(event(pkt, "m" + hop), ctx);
            if (hop < 2) {
                pkt = drain(pkt.queueUrl()).get(0);
                assertEquals(hop + 1, pkt.hopState().idleHops());
            }
        }
        assertEquals(RelayFailure.Reason.NO_PROGRESS, starved.relayFailures.get(0).reason());
        assertTrue(relayGone(pkt));
    }

    // ---- rate limit and throttling ---------------------------------------------------------------

    @Test
    void rateLimit_pacesEachPartAtItsShare_acrossHandOffsToo() {
        // 10 units/s over 2 concurrent parts: 5/s each, one unit every 200 ms
        RelayPacket pkt = relay.setup(null, "worker", RelaySetup.builder().rateLimit(10.0).maximumConcurrency(2).build())
                .put("target", 1_000L);
        relay.fanOut(pkt, 4, (i, p) -> { });
        RelayPacket part = drain(pkt.queueUrl()).get(0);
        Worker worker = new Worker(relay, 20);
        worker.handleRequest(event(part, "a"), ctx);
        RelayPacket next = drain(pkt.queueUrl()).get(0);
        ctx = newInvocation();
        worker.handleRequest(event(next, "b"), ctx);

        List<Long> starts = worker.unitStarts;
        assertTrue(starts.size() > 10);
        for (int i = 1; i < starts.size(); i++) {
            assertTrue(starts.get(i) - starts.get(i - 1) >= 200, "gap " + i + ": " + (starts.get(i) - starts.get(i - 1)));
        }
        assertNotNull(next.hopState().paceAt());
    }

    @Test
    void aThrottledUnit_isUndone_andThePacketHandedOnWithBackOff_keepingEarlierProgress() {
        RelayPacket pkt = relay.setup(null, "worker").put("target", 100L);
        Worker worker = new Worker(relay, 100);
        worker.throttleAt = 3;
        SQSBatchResponse r = worker.handleRequest(event(pkt, "m"), ctx);
        assertTrue(r.getBatchItemFailures().isEmpty());
        assertEquals(3, worker.unitStarts.size());
        assertEquals(1, sqs.messagesHeld(pkt.queueUrl()));
        assertTrue(drain(pkt.queueUrl()).isEmpty(), "the packet is delayed by the back-off");
    }

    @Test
    void adaptiveRate_aThrottledUnit_isUndoneAndMadeAgainInTheSameInvocation_atALowerPace() {
        RelayPacket pkt = relay.setup(null, "worker", RelaySetup.builder().rateLimit(10.0).adaptiveRate(true).build())
                .put("target", 8L);
        Worker worker = new Worker(relay, 10);
        worker.throttleAt = 3;
        SQSBatchResponse r = worker.handleRequest(event(pkt, "m"), ctx);
        assertTrue(r.getBatchItemFailures().isEmpty());
        assertEquals(9, worker.unitStarts.size(), "8 units and the throttled one, made again at once");
        assertEquals(1, worker.completed.size(), "no back-off hand-off: the chain finished here");
        assertEquals(8, worker.completed.get(0).getLong("n", 0));
        long gapBefore = worker.unitStarts.get(2) - worker.unitStarts.get(1);
        long gapAfterThrottle = worker.unitStarts.get(3) - worker.unitStarts.get(2);
        assertTrue(gapAfterThrottle > 1.5 * gapBefore, "the retry waits one interval at the halved share: "
                + gapAfterThrottle + " ms after the throttle, " + gapBefore + " ms between units before");
        assertTrue(worker.completed.get(0).hopState().rateFound());
    }

    @Test
    void adaptiveRate_needsARateLimitToStartFrom() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RelaySetup.builder().adaptiveRate(true).build());
        assertTrue(e.getMessage().contains("adaptiveRate needs a rateLimit"), e.getMessage());
    }

    @Test
    void throttleDelay_growsExponentiallyWithJitter_cappedAt15Minutes() {
        Worker w = new Worker(relay, 1);
        for (int i = 0; i < 50; i++) {
            long d1 = w.throttleDelay(1).toMillis();
            long d4 = w.throttleDelay(4).toMillis();
            long d30 = w.throttleDelay(30).toMillis();
            assertTrue(d1 >= 500 && d1 <= 1_000, "first: " + d1);
            assertTrue(d4 >= 4_000 && d4 <= 8_000, "fourth: " + d4);
            assertTrue(d30 >= 450_000 && d30 <= 900_000, "capped: " + d30);
        }
    }

    // ---- drain watchdog (no ledger) --------------------------------------------------------------

    @Test
    void watchdog_completesOnlyAfterTheQueueStayedEmptyForAMinute() {
        Relay noLedger = Relay.builder().sqsClient(sqs.client())
                .lambdaClient(new RecordingLambda(SqsServer.REGION).function("worker", 10)).clock(clock).build();
        RelayPacket pkt = noLedger.setup(null, "worker").put("target", 1L);
        noLedger.fanOut(pkt, 2, (i, p) -> { });
        Worker worker = new Worker(noLedger, 10);
        RelayPacket dog = pkt.copy();
        dog.header(dog.header().asPart(0, 2));
        dog.hopState(dog.hopState().withKind(HopState.Kind.WATCHDOG));

        // parts still queued: the watchdog re-schedules itself
        worker.handleRequest(event(dog, "w1"), ctx);
        assertTrue(worker.completed.isEmpty());
        for (RelayPacket part : drain(pkt.queueUrl())) {
            worker.handleRequest(event(part, "p" + part.part()), ctx);
        }
        assertEquals(2, worker.partsCompleted.size());
        assertTrue(worker.completed.isEmpty(), "parts alone do not complete a relay without a ledger");
        purge(pkt.queueUrl());

        worker.handleRequest(event(dog, "w2"), ctx);            // first time empty: marked, re-scheduled
        assertTrue(worker.completed.isEmpty());
        assertEquals(1, sqs.messagesHeld(pkt.queueUrl()), "the watchdog re-scheduled itself");
        purge(pkt.queueUrl());
        RelayPacket marked = dog.copy();
        marked.hopState(marked.hopState().withEmptySince(clock.millis()));
        clock.advance(Duration.ofSeconds(30));
        worker.handleRequest(event(marked, "w3"), ctx);          // empty, but not for a minute yet
        assertTrue(worker.completed.isEmpty());
        purge(pkt.queueUrl());
        clock.advance(Duration.ofSeconds(31));
        worker.handleRequest(event(marked, "w4"), ctx);          // still empty a minute later
        assertEquals(1, worker.completed.size());
        assertTrue(relayGone(pkt));
    }

    private void purge(String queueUrl) {
        sqs.client().purgeQueue(r -> r.queueUrl(queueUrl));
    }

    /** A fresh invocation of 10 s, whose remaining time the test moves with {@code invocationClock}. */
    private LocalContext newInvocation() {
        return LocalContext.builder().functionName("worker").timeout(Duration.ofSeconds(10)).clock(invocationClock)
                .build();
    }
}
