package io.lambdarelay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.amazonaws.services.lambda.runtime.events.SQSEvent.SQSMessage;
import io.lambdarelay.local.LocalContext;
import io.lambdarelay.local.testing.MutableClock;
import io.lambdarelay.local.testing.RecordingLambda;
import io.lambdarelay.local.testing.SqsServer;
import io.lambdarelay.testing.Fixtures;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

class RelayWorkerTest extends OnEmbeddedSqs {
    private static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");

    private Relay relay;
    private final MutableClock invocationClock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private LocalContext ctx;

    @BeforeEach
    void setUp() {
        RecordingLambda lambda = new RecordingLambda(SqsServer.REGION).function("worker", 10);
        relay = Relay.builder().sqsClient(sqs.client()).lambdaClient(lambda).clock(Clock.fixed(NOW, ZoneOffset.UTC)).build();
        ctx = newInvocation();
    }

    @AfterEach
    void clean() {
        sqs.deleteAllQueues();
    }

    /** Counts to {@code target}, one per unit; each unit costs {@code unitMillis} of the fake context's time. */
    private final class CountingWorker extends RelayWorker {
        final long unitMillis;
        final List<RelayPacket> completed = new ArrayList<>();
        final List<Exception> failures = new ArrayList<>();
        final List<RelayPacket> failedPackets = new ArrayList<>();
        int unitsRun;

        CountingWorker(long unitMillis) {
            super(relay);
            this.unitMillis = unitMillis;
        }

        @Override
        protected boolean processUnit(RelayPacket pkt) throws Exception {
            unitsRun++;
            invocationClock.advance(Duration.ofMillis(unitMillis));
            if (pkt.getBoolean("explode", false)) {
                throw new IOException("vendor down");
            }
            long n = pkt.getLong("n", 0) + 1;
            pkt.put("n", n);
            return n < pkt.getLong("target", 0);
        }

        @Override
        protected void onComplete(RelayPacket pkt, Context context) {
            completed.add(pkt);
        }

        @Override
        protected void onFailure(SQSMessage message, RelayPacket pkt, Exception error, Context context) {
            failures.add(error);
            failedPackets.add(pkt);
        }
    }

    private String queueArn(String url) {
        return sqs.client().getQueueAttributes(r -> r.queueUrl(url).attributeNames(QueueAttributeName.QUEUE_ARN))
                .attributes().get(QueueAttributeName.QUEUE_ARN);
    }

    private SQSEvent eventOf(RelayPacket pkt, String messageId) {
        return Fixtures.eventFor(queueArn(pkt.queueUrl()), messageId, pkt.toJson());
    }

    private RelayPacket takeNext(String queueUrl) {
        List<Message> msgs = sqs.client().receiveMessage(r -> r.queueUrl(queueUrl).maxNumberOfMessages(10)
                .waitTimeSeconds(1)).messages();
        assertEquals(1, msgs.size(), "exactly one packet passed on");
        return RelayPacket.fromJson(msgs.get(0).body());
    }

    @Test
    void runsUnitsWhileTheBudgetAllows_thenPassesThePacketOn() {
        RelayPacket pkt = relay.setup(null, "worker").put("target", 100L);
        CountingWorker worker = new CountingWorker(1_000);

        SQSBatchResponse response = worker.handleRequest(eventOf(pkt, "m1"), ctx);

        assertTrue(response.getBatchItemFailures().isEmpty());
        // 10 s budget, 1 s reserve, 2 s expected per unit: units start while 9 s - k s >= 2 s
        assertEquals(8, worker.unitsRun);
        RelayPacket next = takeNext(pkt.queueUrl());
        assertEquals(8, next.getLong("n", 0));
        assertEquals(1, next.hop());
        assertEquals(1_000, next.hopState().unitMs(), "the longest unit travels to the next hop");
        assertTrue(worker.completed.isEmpty());
    }

    @Test
    void whenProcessUnitSaysDone_callsOnCompleteOnce_andTearsDown() {
        RelayPacket pkt = relay.setup(null, "worker").put("target", 3L);
        CountingWorker worker = new CountingWorker(100);

        SQSBatchResponse response = worker.handleRequest(eventOf(pkt, "m1"), ctx);

        assertTrue(response.getBatchItemFailures().isEmpty());
        assertEquals(3, worker.unitsRun);
        assertEquals(1, worker.completed.size());
        assertEquals(3, worker.completed.get(0).getLong("n", 0));
        assertTrue(sqs.queueUrls().isEmpty(), "queue and empty DLQ deleted: " + sqs.queueUrls());
    }

    @Test
    void aFailingRecord_isReportedAlone_andTheOthersStillRun() {
        RelayPacket good = relay.setup(null, "worker").put("target", 2L);
        RelayPacket bad = good.copy().put("explode", true);
        SQSEvent event = eventOf(good, "ok-1");
        event.getRecords().add(0, eventOf(bad, "bad-1").getRecords().get(0));
        CountingWorker worker = new CountingWorker(10);

        SQSBatchResponse response = worker.handleRequest(event, ctx);

        assertEquals(List.of("bad-1"), response.getBatchItemFailures().stream()
                .map(SQSBatchResponse.BatchItemFailure::getItemIdentifier).toList());
        assertInstanceOf(IOException.class, worker.failures.get(0), "the checked exception reaches onFailure unwrapped");
        assertEquals(1, worker.completed.size(), "the good record completed");
    }

    @Test
    void anUnreadablePacket_goesStraightToTheDeadLetterQueueOfItsSourceQueue_withoutAPacket() {
        RelayPacket pkt = relay.setup(null, "worker");
        SQSEvent event = Fixtures.eventFor(queueArn(pkt.queueUrl()), "junk-1", "{not json");
        CountingWorker worker = new CountingWorker(10);

        SQSBatchResponse response = worker.handleRequest(event, ctx);

        assertTrue(response.getBatchItemFailures().isEmpty(), "retrying cannot make it valid");
        assertInstanceOf(InvalidPacketException.class, worker.failures.get(0));
        assertNull(worker.failedPackets.get(0));
        assertEquals(0, worker.unitsRun);
        List<Message> dead = sqs.client().receiveMessage(r -> r.queueUrl(pkt.deadLetterQueueUrl().orElseThrow())
                .messageAttributeNames("All")).messages();
        assertEquals(List.of("{not json"), dead.stream().map(Message::body).toList());
        assertEquals(InvalidPacketException.class.getName(),
                dead.get(0).messageAttributes().get(Relay.ATTR_ERROR).stringValue());
    }

    @Test
    void anUnreadablePacketWithoutASourceQueue_failsItsRecord() {
        SQSEvent event = Fixtures.eventFor(null, "junk-2", "{not json");
        CountingWorker worker = new CountingWorker(10);

        SQSBatchResponse response = worker.handleRequest(event, ctx);

        assertEquals("junk-2", response.getBatchItemFailures().get(0).getItemIdentifier());
        assertInstanceOf(InvalidPacketException.class, worker.failures.get(0));
    }

    @Test
    void aUnitThatCannotFitAnInvocation_failsTheRecordInsteadOfRelayingForever() {
        RelayPacket pkt = relay.setup(null, "worker").put("target", 100L);
        pkt.hopState(pkt.hopState().withUnitMs(10_500)); // longer than a whole 10 s invocation
        CountingWorker worker = new CountingWorker(10);

        SQSBatchResponse response = worker.handleRequest(eventOf(pkt, "m1"), ctx);

        assertEquals(1, response.getBatchItemFailures().size());
        assertInstanceOf(UnitTooLongException.class, worker.failures.get(0));
        assertEquals(0, worker.unitsRun);
        assertEquals(0, sqs.messagesHeld(pkt.queueUrl()), "nothing passed on");
    }

    @Test
    void aDeferredPacket_isPassedOnWithoutRunningUnits() {
        RelayPacket pkt = relay.setup(null, "worker").put("target", 100L);
        pkt.header(pkt.header().withNotBefore(NOW.plus(Duration.ofHours(1))));
        CountingWorker worker = new CountingWorker(10);

        SQSBatchResponse response = worker.handleRequest(eventOf(pkt, "m1"), ctx);

        assertTrue(response.getBatchItemFailures().isEmpty());
        assertEquals(0, worker.unitsRun);
        assertEquals(1, sqs.messagesHeld(pkt.queueUrl()));
    }

    @Test
    void anEventWithoutRecords_returnsNoFailures() {
        CountingWorker worker = new CountingWorker(10);
        assertTrue(worker.handleRequest(new SQSEvent(), ctx).getBatchItemFailures().isEmpty());
    }

    /** A fresh invocation of 10 s, whose remaining time the test moves with {@code invocationClock}. */
    private LocalContext newInvocation() {
        return LocalContext.builder().functionName("worker").timeout(Duration.ofSeconds(10)).clock(invocationClock)
                .build();
    }
}
