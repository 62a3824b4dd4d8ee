package io.lambdarelay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.amazonaws.services.lambda.runtime.events.SQSEvent.SQSMessage;
import io.lambdarelay.ledger.InMemoryRelayLedger;
import io.lambdarelay.ledger.LedgerUnavailableException;
import io.lambdarelay.ledger.PartTally;
import io.lambdarelay.ledger.RelayLedger;
import io.lambdarelay.local.faults.Faults;
import io.lambdarelay.local.LocalContext;
import io.lambdarelay.local.testing.RecordingLambda;
import io.lambdarelay.local.testing.SqsServer;
import io.lambdarelay.testing.Fixtures;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.SqsException;

/** Inject a fault, then count: nothing lost, no forked chain proceeds, every failure typed. */
class FaultInjectionTest extends OnEmbeddedSqs {
    private Faults faults;
    private Faults.Injection sendFailure;
    private Relay relay;
    private InMemoryRelayLedger ledger;

    @BeforeEach
    void setUp() {
        faults = Faults.create(java.time.Clock.systemUTC());
        ledger = new InMemoryRelayLedger();
        relay = Relay.builder().sqsClient(faults.sqs(sqs.client())).lambdaClient(new RecordingLambda(SqsServer.REGION).function("w", 10))
                .ledger(ledger).build();
    }

    @AfterEach
    void clean() {
        sqs.deleteAllQueues();
    }

    /** One unit per invocation, counting; records every unit it runs. */
    private class Worker extends RelayWorker {
        final List<Long> units = Collections.synchronizedList(new ArrayList<>());
        final List<Exception> failures = Collections.synchronizedList(new ArrayList<>());
        volatile CountDownLatch gate;

        Worker(Relay r) {
            super(r);
        }

        private final ThreadLocal<java.util.concurrent.atomic.AtomicLong> remaining = new ThreadLocal<>();

        /** A fake 10 s budget per invocation that one 4 s unit uses up (8 s expected next): one unit per hop. */
        @Override
        protected TimeBudget newBudget(Context context, java.time.Duration unitHint) {
            java.util.concurrent.atomic.AtomicLong fake = new java.util.concurrent.atomic.AtomicLong(10_000);
            remaining.set(fake);
            return TimeBudget.builder().remainingMillis(fake::get).build();
        }

        @Override
        protected boolean processUnit(RelayPacket pkt) throws Exception {
            remaining.get().addAndGet(-4_000);
            CountDownLatch g = gate;
            if (g != null) {
                g.countDown();
                g.await(5, TimeUnit.SECONDS);
            }
            long n = pkt.getLong("n", 0) + 1;
            units.add(n);
            pkt.put("n", n);
            return true;
        }

        @Override
        protected void onFailure(SQSMessage message, RelayPacket pkt, Exception error, Context context) {
            failures.add(error);
        }
    }

    private static String arn(String url) {
        return "arn:aws:sqs:" + SqsServer.REGION + ":" + SqsServer.ACCOUNT + ":" + url.substring(url.lastIndexOf('/') + 1);
    }

    private static SQSEvent event(RelayPacket pkt, String messageId) {
        return Fixtures.eventFor(arn(pkt.queueUrl()), messageId, pkt.toJson());
    }

    private List<Message> drain(String url) {
        List<Message> out = new ArrayList<>();
        while (true) {
            List<Message> msgs = sqs.client().receiveMessage(r -> r.queueUrl(url).maxNumberOfMessages(10)).messages();
            if (msgs.isEmpty()) {
                return out;
            }
            for (Message m : msgs) {
                out.add(m);
                sqs.client().deleteMessage(r -> r.queueUrl(url).receiptHandle(m.receiptHandle()));
            }
        }
    }

    private static LocalContext ctx() {
        return LocalContext.of("w", Duration.ofSeconds(10));
    }

    @Test
    void killedAfterPassingBeforeReturning_theRedeliveryForks_andTheLedgerStopsTheForkAtTheNextHop() {
        RelayPacket pkt = relay.setup(null, "w");
        Worker worker = new Worker(relay);
        SQSEvent first = event(pkt, "m0");
        worker.handleRequest(first, ctx());                 // passes hop 1 ... then "dies" before SQS deletes m0
        worker.handleRequest(first, ctx());                 // m0 redelivered: the claim is taken over, hop 1 sent again
        List<Message> hop1 = drain(pkt.queueUrl());
        assertEquals(2, hop1.size(), "the crash produced two hop-1 packets");

        for (Message m : hop1) {
            worker.handleRequest(Fixtures.eventFor(arn(pkt.queueUrl()), m.messageId(), m.body()), ctx());
        }
        List<Message> hop2 = drain(pkt.queueUrl());
        assertEquals(1, hop2.size(), "only one chain goes on");
        assertEquals(2, RelayPacket.fromJson(hop2.get(0).body()).getLong("n", 0));
    }

    @Test
    void theSameMessageInTwoConcurrentInvocations_leavesOneChain() throws Exception {
        RelayPacket pkt = relay.setup(null, "w");
        Worker worker = new Worker(relay);
        worker.gate = new CountDownLatch(2);                 // both invocations are inside a unit at once
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            SQSEvent event = event(pkt, "same");
            Future<SQSBatchResponse> a = pool.submit(() -> worker.handleRequest(event, ctx()));
            Future<SQSBatchResponse> b = pool.submit(() -> worker.handleRequest(event, ctx()));
            a.get(10, TimeUnit.SECONDS);
            b.get(10, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
        worker.gate = null;
        List<Message> next = drain(pkt.queueUrl());
        assertEquals(2, next.size(), "both copies ran (same message id: a takeover is indistinguishable)");
        for (Message m : next) {
            worker.handleRequest(Fixtures.eventFor(arn(pkt.queueUrl()), m.messageId(), m.body()), ctx());
        }
        assertEquals(1, drain(pkt.queueUrl()).size(), "the duplicate chain was stopped one hop later");
    }

    @Test
    void sendMessageThrottled5xxOrTimedOut_failsTheRecord_andThePacketIsRedeliveredNotLost() {
        RelayPacket pkt = relay.setup(null, "w");
        List<RuntimeException> errors = List.of(
                SqsException.builder().message("Rate exceeded").statusCode(400)
                        .awsErrorDetails(software.amazon.awssdk.awscore.exception.AwsErrorDetails.builder()
                                .errorCode("ThrottlingException").build()).build(),
                SqsException.builder().message("Internal error").statusCode(500).build(),
                ApiCallTimeoutException.create(2_000));
        for (RuntimeException fault : errors) {
            Worker worker = new Worker(relay);
            if (sendFailure != null) {
                sendFailure.stop();
            }
            sendFailure = faults.on("SendMessage").fail(fault);
            SQSBatchResponse r = worker.handleRequest(event(pkt, "m-redelivered"), ctx());
            assertEquals(List.of("m-redelivered"), r.getBatchItemFailures().stream()
                    .map(SQSBatchResponse.BatchItemFailure::getItemIdentifier).toList(), fault.toString());
            assertInstanceOf(RelayPassException.class, worker.failures.get(0));
            assertEquals(0, sqs.messagesHeld(pkt.queueUrl()), "nothing was passed");
        }
        sendFailure.stop();
        Worker worker = new Worker(relay);
        assertTrue(worker.handleRequest(event(pkt, "m-redelivered"), ctx()).getBatchItemFailures().isEmpty(),
                "the redelivered packet goes on once SQS recovers");
        assertEquals(1, drain(pkt.queueUrl()).size());
    }

    @Test
    void ledgerUnavailable_failsTheInvocation_andNothingProceedsUnguarded() {
        RelayLedger broken = new RelayLedger() {
            @Override
            public Claim claimHop(String relayId, int part, long hop, String messageId) {
                throw new LedgerUnavailableException("table relay-ledger unreachable", null);
            }

            @Override
            public PartTally finishPart(String relayId, int part, boolean failed) {
                throw new LedgerUnavailableException("table relay-ledger unreachable", null);
            }

            @Override
            public void addUnits(String relayId, long units) {
                throw new LedgerUnavailableException("table relay-ledger unreachable", null);
            }

            @Override
            public PartTally tally(String relayId) {
                throw new LedgerUnavailableException("table relay-ledger unreachable", null);
            }

            @Override
            public PartTally reopenPart(String relayId, int part) {
                throw new LedgerUnavailableException("table relay-ledger unreachable", null);
            }

            @Override
            public Completion beginCompletion(String relayId, String messageId, java.time.Duration lease) {
                throw new LedgerUnavailableException("table relay-ledger unreachable", null);
            }

            @Override
            public void endCompletion(String relayId) {
                throw new LedgerUnavailableException("table relay-ledger unreachable", null);
            }
        };
        Relay guarded = Relay.builder().sqsClient(faults.sqs(sqs.client())).lambdaClient(new RecordingLambda(SqsServer.REGION)
                .function("w", 10)).ledger(broken).build();
        RelayPacket pkt = guarded.setup(null, "w");
        Worker worker = new Worker(guarded);
        SQSBatchResponse r = worker.handleRequest(event(pkt, "m"), ctx());
        assertEquals(1, r.getBatchItemFailures().size());
        assertInstanceOf(LedgerUnavailableException.class, worker.failures.get(0));
        assertEquals(0, worker.units.size(), "no unit ran without the claim");
        assertEquals(0, faults.calls("SendMessage"), "nothing was passed");
    }

    @Test
    void tearDownTwiceConcurrently_neitherFails() throws Exception {
        RelayPacket pkt = relay.setup(null, "w");
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            CountDownLatch go = new CountDownLatch(1);
            Future<TearDownResult> a = pool.submit(() -> {
                go.await();
                return relay.tearDown(pkt);
            });
            Future<TearDownResult> b = pool.submit(() -> {
                go.await();
                return relay.tearDown(pkt.copy());
            });
            go.countDown();
            TearDownResult ra = a.get(10, TimeUnit.SECONDS);
            TearDownResult rb = b.get(10, TimeUnit.SECONDS);
            assertEquals(1, (ra.mappingDeleted() ? 1 : 0) + (rb.mappingDeleted() ? 1 : 0), "the mapping is deleted once");
        } finally {
            pool.shutdownNow();
        }
        assertTrue(sqs.queueUrls().isEmpty());
    }

    @Test
    void aStragglerAfterTearDown_failsItsRecordWithATypedError() {
        RelayPacket pkt = relay.setup(null, "w");
        relay.tearDown(pkt);
        Worker straggler = new Worker(relay);
        SQSBatchResponse r = straggler.handleRequest(event(pkt, "late"), ctx());
        assertEquals(1, r.getBatchItemFailures().size());
        assertInstanceOf(RelayPassException.class, straggler.failures.get(0));
        assertTrue(straggler.failures.get(0).getMessage().contains("torn down"), straggler.failures.get(0).getMessage());
    }

    @Test
    void relayPassFailure_restoresTheCounters_soARetryIsNotCountedTwice() {
        RelayPacket pkt = relay.setup(null, "w");
        sendFailure = faults.on("SendMessage").fail(SqsException.builder().message("boom").statusCode(503).build());
        AtomicInteger thrown = new AtomicInteger();
        for (int i = 0; i < 3; i++) {
            try {
                relay.relayPass(pkt);
            } catch (RelayPassException e) {
                thrown.incrementAndGet();
            }
        }
        assertEquals(3, thrown.get());
        assertEquals(0, pkt.hop());
        sendFailure.stop();
        relay.relayPass(pkt);
        assertEquals(1, pkt.hop());
    }
}
