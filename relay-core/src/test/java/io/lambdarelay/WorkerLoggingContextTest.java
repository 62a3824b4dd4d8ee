package io.lambdarelay;

import static io.lambdarelay.FaultFixture.WORKER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent.SQSMessage;
import io.lambdarelay.FaultFixture.Worker;
import io.lambdarelay.testing.DelegatingLedger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * While a worker handles a record, the SLF4J MDC names the relay, part and hop: in the user's
 * units and hooks, and on the deadline hand-off's thread. Afterwards each thread's MDC holds what
 * it held before. Packet contents never go there. The handler runs on the test's thread (or, for
 * the hand-off, on LocalAws's), on a virtual clock; nothing sleeps.
 */
class WorkerLoggingContextTest extends FaultModelBase {
    private static final String SECRET = "secret-5e0b-mary.major@example.com";

    private final ExecutorService handOffThread = Executors.newSingleThreadExecutor();

    @BeforeEach
    void mdcKeepsValues() throws Exception {
        // Start the pool's thread now, from a thread with an empty MDC, so it inherits none of a handler's.
        MDC.clear();
        handOffThread.submit(() -> { }).get(10, TimeUnit.SECONDS);
        MDC.put("probe", "1");
        assertEquals("1", MDC.get("probe"), "the tests need an MDC that keeps values: run them with "
                + "-Dslf4j.provider=io.lambdarelay.testing.SimpleLoggingWithMdc (relay-core's surefire sets it)");
        MDC.clear();
    }

    @AfterEach
    void clearMdc() {
        MDC.clear();
        handOffThread.shutdownNow();
    }

    /** The relay's three keys as the MDC holds them now (absent ones as null). */
    static Map<String, String> relayKeys() {
        Map<String, String> m = new HashMap<>();
        for (String key : List.of(RelayWorker.MDC_RELAY_ID, RelayWorker.MDC_RELAY_PART, RelayWorker.MDC_RELAY_HOP)) {
            m.put(key, MDC.get(key));
        }
        return m;
    }

    static Map<String, String> keys(String relayId, int part, long hop) {
        return Map.of(RelayWorker.MDC_RELAY_ID, relayId, RelayWorker.MDC_RELAY_PART, Integer.toString(part),
                RelayWorker.MDC_RELAY_HOP, Long.toString(hop));
    }

    /** A worker that notes the relay's MDC keys wherever the user's code runs, and every value the MDC held. */
    static final class MdcWorker extends Worker {
        final List<String> where = Collections.synchronizedList(new ArrayList<>());
        final List<Map<String, String>> seen = Collections.synchronizedList(new ArrayList<>());
        final List<String> allValues = Collections.synchronizedList(new ArrayList<>());

        MdcWorker(Relay relay, FaultFixture f) {
            super(relay, f.aws);
        }

        void note(String hook) {
            where.add(hook);
            seen.add(relayKeys());
            Map<String, String> all = MDC.getCopyOfContextMap();
            if (all != null) {
                allValues.addAll(all.values());
            }
        }

        @Override
        protected boolean processUnit(RelayPacket pkt) throws Exception {
            note("processUnit");
            if (pkt.getBoolean("fail", false)) {
                throw new IllegalStateException("this unit fails");
            }
            return super.processUnit(pkt);
        }

        @Override
        protected void onComplete(RelayPacket pkt, Context context) {
            note("onComplete");
            super.onComplete(pkt, context);
        }

        @Override
        protected void onPartComplete(RelayPacket pkt, Context context) {
            note("onPartComplete");
            super.onPartComplete(pkt, context);
        }

        @Override
        protected void onRelayFailed(RelayPacket pkt, RelayFailure failure, Context context) {
            note("onRelayFailed");
            super.onRelayFailed(pkt, failure, context);
        }

        @Override
        protected void onFailure(SQSMessage message, RelayPacket pkt, Exception error, Context context) {
            note("onFailure");
            super.onFailure(message, pkt, error, context);
        }
    }

    /** Passes the packet once and takes its message off the queue, for the test to hand to the worker. */
    private Message passed(RelayPacket pkt) {
        f.plain.relayPass(pkt);
        return f.take(pkt.queueUrl()).get(0);
    }

    /** Runs the worker on the test's thread with one message of the queue, at receive 1. */
    private SQSBatchResponse handle(RelayWorker worker, String queueUrl, Message m) {
        return worker.handleRequest(f.event(queueUrl, m, 1), f.context());
    }

    @Test
    void chain_unitsAndOnCompleteSeeTheRelayPartAndHop_andTheCallersMdcComesBack() {
        RelayPacket pkt = f.plain.setup(null, WORKER).put("target", 2L).put("note", SECRET);
        Message m = passed(pkt);
        MdcWorker w = new MdcWorker(f.plain, f);
        MDC.put(RelayWorker.MDC_RELAY_ID, "the caller's");
        MDC.put("requestId", "req-1");

        SQSBatchResponse response = handle(w, pkt.queueUrl(), m);

        assertTrue(response.getBatchItemFailures().isEmpty());
        assertEquals(List.of("processUnit", "processUnit", "onComplete"), w.where);
        Map<String, String> expected = keys(pkt.relayId(), 0, 1);
        assertEquals(List.of(expected, expected, expected), w.seen);
        assertTrue(w.allValues.contains("req-1"), "the caller's own keys stay visible inside");
        assertEquals("the caller's", MDC.get(RelayWorker.MDC_RELAY_ID), "what the MDC held before is back");
        assertNull(MDC.get(RelayWorker.MDC_RELAY_PART));
        assertNull(MDC.get(RelayWorker.MDC_RELAY_HOP));
        assertEquals("req-1", MDC.get("requestId"), "a key of the caller is not cleared");
        assertFalse(w.allValues.stream().anyMatch(v -> v.contains(SECRET)), "packet contents in the MDC");
    }

    @Test
    void fanOutParts_onPartCompleteAndOnCompleteSeeTheirOwnPart() {
        RelayPacket pkt = f.relay.setup(null, WORKER).put("target", 1L);
        f.relay.fanOut(pkt, 2, (i, p) -> { });
        MdcWorker w = new MdcWorker(f.relay, f);
        List<Message> parts = f.take(pkt.queueUrl());
        assertEquals(2, parts.size());

        for (int part = 0; part < 2; part++) {
            handle(w, pkt.queueUrl(), FaultFixture.part(parts, part));
        }

        assertEquals(List.of("processUnit", "onPartComplete", "processUnit", "onPartComplete", "onComplete"), w.where);
        assertEquals(List.of(keys(pkt.relayId(), 0, 1), keys(pkt.relayId(), 0, 1), keys(pkt.relayId(), 1, 1),
                keys(pkt.relayId(), 1, 1), keys(pkt.relayId(), 1, 1)), w.seen, "the last part ends the relay");
        assertEquals(noRelayKeys(), relayKeys());
    }

    @Test
    void aFailingUnit_onFailureSeesItsPacketsIds_andAnUnreadableRecordLeavesTheMdcAlone() {
        RelayPacket pkt = f.plain.setup(null, WORKER).put("target", 5L).put("fail", true);
        Message m = passed(pkt);
        MdcWorker w = new MdcWorker(f.plain, f);

        SQSBatchResponse failed = handle(w, pkt.queueUrl(), m);
        SQSBatchResponse unreadable = w.handleRequest(f.event(pkt.queueUrl(), "junk", "{not json", 1), f.context());

        assertEquals(1, failed.getBatchItemFailures().size());
        assertTrue(unreadable.getBatchItemFailures().isEmpty(), "moved to the dead-letter queue");
        assertEquals(List.of("processUnit", "onFailure", "onFailure"), w.where);
        assertEquals(List.of(keys(pkt.relayId(), 0, 1), keys(pkt.relayId(), 0, 1), noRelayKeys()), w.seen);
        assertEquals(noRelayKeys(), relayKeys());
    }

    @Test
    void aTrippedGuard_onRelayFailedSeesTheHopThatTrippedIt() {
        RelayPacket pkt = f.plain.setup(null, WORKER, RelaySetup.builder().maxHops(1).build()).put("target", 5L);
        f.plain.relayPass(pkt);
        f.plain.relayPass(pkt); // hop 2, over the limit of 1
        MdcWorker w = new MdcWorker(f.plain, f);
        Message hop2 = f.take(pkt.queueUrl()).stream()
                .filter(m -> RelayPacket.fromJson(m.body()).hop() == 2).findFirst().orElseThrow();

        handle(w, pkt.queueUrl(), hop2);

        assertEquals(List.of("onRelayFailed"), w.where);
        assertEquals(List.of(keys(pkt.relayId(), 0, 2)), w.seen);
        assertEquals(List.of(RelayFailure.Reason.MAX_HOPS), w.relayFailures.stream().map(RelayFailure::reason).toList());
        assertEquals(noRelayKeys(), relayKeys());
    }

    @Test
    void deadlineHandOff_onItsOwnThread_holdsTheRunningRecordsIds_andThenThatThreadsMdcAsBefore() throws Exception {
        List<Map<String, String>> atHandOff = Collections.synchronizedList(new ArrayList<>());
        List<Thread> handOffThreads = Collections.synchronizedList(new ArrayList<>());
        Relay relay = Relay.builder().sqsClient(aws.sqsClient()).lambdaClient(aws.lambdaClient()).clock(f.clock)
                .ledger(new DelegatingLedger(f.ledger) {
                    @Override
                    public void addProgress(String relayId, long units, RelayCost spent, Instant at) {
                        atHandOff.add(relayKeys());
                        handOffThreads.add(Thread.currentThread());
                        super.addProgress(relayId, units, spent, at);
                    }
                }).build();
        RelayPacket pkt = relay.setup(null, WORKER).put("target", 20L);
        relay.relayPass(pkt);
        List<Thread> handlers = new ArrayList<>();
        List<Future<Boolean>> fired = new ArrayList<>();
        f.use(new Worker(relay, aws) {
            private Deadline deadline;

            @Override
            Deadline.Alarm deadlineAlarm() {
                return d -> deadline = d;
            }

            @Override
            protected boolean processUnit(RelayPacket p) throws Exception {
                boolean more = super.processUnit(p);
                if (p.getLong("n", 0) == 3 && fired.isEmpty()) { // the third unit still runs when the deadline comes
                    handlers.add(Thread.currentThread());
                    Future<Boolean> hand = handOffThread.submit(deadline::fire);
                    fired.add(hand);
                    try {
                        hand.get(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        // the hand-off interrupts the unit it cut short
                    }
                }
                return more;
            }
        });

        f.deliver(pkt);

        assertEquals(true, fired.get(0).get(10, TimeUnit.SECONDS), "handed off");
        assertEquals(List.of(keys(pkt.relayId(), 0, 1)), atHandOff, "the running record's ids, on the hand-off's thread");
        assertNotEquals(handlers.get(0), handOffThreads.get(0));
        assertEquals(noRelayKeys(), handOffThread.submit(WorkerLoggingContextTest::relayKeys).get(10, TimeUnit.SECONDS),
                "the hand-off's thread holds what it held before");
    }

    /** The relay's three keys, all absent. */
    private static Map<String, String> noRelayKeys() {
        Map<String, String> m = new HashMap<>();
        m.put(RelayWorker.MDC_RELAY_ID, null);
        m.put(RelayWorker.MDC_RELAY_PART, null);
        m.put(RelayWorker.MDC_RELAY_HOP, null);
        return m;
    }
}
