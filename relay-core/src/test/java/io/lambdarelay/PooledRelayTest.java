package io.lambdarelay;

import static io.lambdarelay.FaultFixture.WORKER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lambdarelay.ledger.PooledRelay.Control;
import io.lambdarelay.local.Delivery;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/**
 * Pooled mode on LocalAws (virtual time, manual delivery): relays of one worker share a pool's
 * queue and mapping; starting one is a single SendMessage with no Lambda call; each is exact; and
 * pause, park, resume after a fix and cancel act on one relay while the others in the pool go on.
 */
class PooledRelayTest extends FaultModelBase {
    private static final RelaySetup POOLED = RelaySetup.builder().pooled(true).build();
    private static final List<String> LAMBDA_OPERATIONS = List.of("GetFunctionConfiguration",
            "GetFunctionRecursionConfig", "PutFunctionRecursionConfig", "CreateEventSourceMapping",
            "ListEventSourceMappings", "GetEventSourceMapping", "UpdateEventSourceMapping", "DeleteEventSourceMapping");
    private static final List<String> SQS_OPERATIONS = List.of("SendMessage", "SendMessageBatch", "GetQueueUrl",
            "GetQueueAttributes", "CreateQueue", "TagQueue", "ListQueues", "ListQueueTags");

    private int lambdaCalls() {
        return LAMBDA_OPERATIONS.stream().mapToInt(f.faults::calls).sum();
    }

    private Map<String, Integer> sqsCalls() {
        return SQS_OPERATIONS.stream().collect(Collectors.toMap(op -> op, f.faults::calls));
    }

    private RelayControl control() {
        return RelayControl.builder().sqsClient(aws.sqsClient()).lambdaClient(aws.lambdaClient()).ledger(f.ledger)
                .clock(f.clock).build();
    }

    private RelayPacket start(Relay relay, long target) {
        RelayPacket pkt = relay.setup(null, WORKER, POOLED).put("target", target);
        relay.relayPass(pkt);
        return pkt;
    }

    /** Delivers from the pool until {@code done} holds, at most {@code max} deliveries. */
    private List<Delivery> deliverUntil(RelayPacket anyOfThePool, int max, java.util.function.BooleanSupplier done) {
        List<Delivery> out = new ArrayList<>();
        while (!done.getAsBoolean() && out.size() < max) {
            Delivery d = f.deliver(anyOfThePool);
            if (d == null) {
                break;
            }
            out.add(d);
        }
        return out;
    }

    private static long n(FaultFixture.Worker w, String relayId) {
        return w.completed.stream().filter(p -> p.relayId().equals(relayId)).mapToLong(p -> p.getLong("n", -1))
                .sum();
    }

    private static long completions(FaultFixture.Worker w, String relayId) {
        return w.completed.stream().filter(p -> p.relayId().equals(relayId)).count();
    }

    @Test
    void relaysShareThePool_eachExact_andStartingOneIsASingleSendMessageWithNoLambdaCall() {
        FaultFixture.Worker w = f.use(new FaultFixture.Worker(f.relay, aws));
        RelayPacket a = start(f.relay, 12); // the first start finds no pool and creates it
        int lambdaBefore = lambdaCalls();
        Map<String, Integer> sqsBefore = sqsCalls();

        RelayPacket b = start(f.relay, 7);

        assertEquals(lambdaBefore, lambdaCalls(), "no Lambda call for a relay started into a known pool");
        Map<String, Integer> sqsAfter = sqsCalls();
        for (String op : SQS_OPERATIONS) {
            assertEquals(sqsBefore.get(op) + (op.equals("SendMessage") ? 1 : 0), sqsAfter.get(op), op);
        }
        assertEquals(a.queueUrl(), b.queueUrl(), "one queue for both");
        assertTrue(a.queueUrl().endsWith("/" + RelaySetup.defaultPoolQueueName(WORKER)), a.queueUrl());
        List<Message> queued = aws.sqsClient().receiveMessage(r -> r.queueUrl(a.queueUrl()).maxNumberOfMessages(10)
                .visibilityTimeout(0).messageSystemAttributeNames(MessageSystemAttributeName.MESSAGE_GROUP_ID))
                .messages();
        assertEquals(Set.of(a.relayId(), b.relayId()), queued.stream()
                .map(m -> m.attributes().get(MessageSystemAttributeName.MESSAGE_GROUP_ID)).collect(Collectors.toSet()),
                "each relay's packets in a message group of its own, for a fair queue");

        f.deliverAll(a, 60);

        assertEquals(12, n(w, a.relayId()));
        assertEquals(7, n(w, b.relayId()));
        assertEquals(1, completions(w, a.relayId()));
        assertEquals(1, completions(w, b.relayId()));
        assertTrue(f.exists(a.queueUrl()), "the pool stays");
        assertEquals(Control.ENDED, f.ledger.pooledRelay(a.relayId()).orElseThrow().control());
        assertEquals(Control.ENDED, f.ledger.pooledRelay(b.relayId()).orElseThrow().control());
        assertEquals(List.of(), control().list(), "ended relays are not listed");
    }

    @Test
    void eachPooledHopsReadOfItsRelaysState_isInTheCost_oneReadPerArrival() {
        FaultFixture.Worker w = f.use(new FaultFixture.Worker(f.relay, aws));
        RelayPacket pkt = start(f.relay, 9);
        RelayPacket perRelay = f.relay.setup(null, WORKER).put("target", 4L);
        f.relay.relayPass(perRelay);

        f.deliverAll(pkt, 60);
        f.deliverAll(perRelay, 60);

        RelayCost pooled = w.completed.stream().filter(p -> p.relayId().equals(pkt.relayId())).findFirst()
                .orElseThrow().cost();
        assertTrue(pooled.hops() > 1, "a chain of several hops: " + pooled);
        assertEquals(pooled.hops(), pooled.ledgerReads(), "one read of the relay's state per arriving packet");
        assertEquals(pooled.ledgerReads(), f.ledger.cost(pkt.relayId()).orElseThrow().ledgerReads(),
                "the ledger's total has them too");
        RelayCost own = w.completed.stream().filter(p -> p.relayId().equals(perRelay.relayId())).findFirst()
                .orElseThrow().cost();
        assertEquals(0, own.ledgerReads(), "a relay with a queue of its own reads no state: " + own);
        assertTrue(pooled.toString().contains(pooled.ledgerReads() + " ledger reads"), pooled.toString());
    }

    @Test
    void pooledFanOut_withALedger_completesOnceExactly_andWithoutOneIsRefused() {
        FaultFixture.Worker w = f.use(new FaultFixture.Worker(f.relay, aws));
        RelayPacket pkt = f.relay.setup(null, WORKER, POOLED);
        f.relay.fanOut(pkt, 4, (i, p) -> p.put("target", 3 + i));

        f.deliverAll(pkt, 60);

        assertEquals(1, w.completed.size(), "completed once");
        assertEquals(List.of(0, 1, 2, 3), w.partsCompleted.stream().sorted().toList());
        assertEquals(3 + 4 + 5 + 6, f.ledger.tally(pkt.relayId()).units());
        RelayPacket plain = f.plain.setup(null, WORKER, POOLED);
        IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> f.plain.fanOut(plain, 2, (i, p) -> { }));
        assertTrue(refused.getMessage().contains("needs a ledger"), refused.getMessage());
    }

    @Test
    void pauseOneRelay_itsPacketWaitsWhileTheOtherFinishes_resume_bothExact() {
        FaultFixture.Worker w = f.use(new FaultFixture.Worker(f.relay, aws));
        w.unitMs = 4_000; // two units a hop, so each relay makes several hops
        RelayPacket a = start(f.relay, 9);
        RelayPacket b = start(f.relay, 9);
        deliverUntil(a, 10, () -> f.ledger.pooledRelay(a.relayId()).isPresent()
                && f.ledger.pooledRelay(b.relayId()).isPresent());
        RelayControl control = control();

        RelayStatus paused = control.pause(a.relayId());
        long unitsAtPause = f.ledger.tally(a.relayId()).units();
        deliverUntil(a, 40, () -> completions(w, b.relayId()) == 1);
        f.deliver(a); // a's packet comes back once more, to find its relay still paused

        assertEquals(RelayState.PAUSED, paused.relay().state());
        assertEquals(1, completions(w, b.relayId()), "the other relay finished meanwhile");
        assertEquals(9, n(w, b.relayId()));
        assertEquals(0, completions(w, a.relayId()));
        assertTrue(f.ledger.tally(a.relayId()).units() <= unitsAtPause + 2,
                "at most the hop under way when it paused ran on");
        assertEquals(RelayState.PAUSED, control.status(a.relayId()).relay().state());

        RelayControl.Resumed resumed = control.resume(a.relayId());
        f.deliverAll(a, 40);

        assertEquals(RelayState.PAUSED, resumed.from());
        assertEquals(1, completions(w, a.relayId()));
        assertEquals(9, n(w, a.relayId()), "nothing lost, nothing twice");
    }

    /** Counts to the packet's target; a packet with {@code bug} throws at 3 until {@link #fixed}. */
    static final class Buggy extends FaultFixture.Worker {
        volatile boolean fixed;

        Buggy(Relay relay) {
            super(relay, FaultModelBase.aws);
        }

        @Override
        protected boolean processUnit(RelayPacket pkt) throws Exception {
            if (!fixed && pkt.getBoolean("bug", false) && pkt.getLong("n", 0) == 3) {
                throw new IllegalStateException("a bug at 3");
            }
            return super.processUnit(pkt);
        }
    }

    @Test
    void aBugParksOnlyItsRelay_resumeAfterTheFixMovesOnlyItsPacketBack_exact() {
        Buggy w = f.use(new Buggy(f.relay));
        RelaySetup once = RelaySetup.builder().pooled(true).maxReceiveCount(1).build();
        RelayPacket a = f.relay.setup(null, WORKER, once).put("target", 6L).put("bug", true);
        f.relay.relayPass(a);
        RelayPacket b = f.relay.setup(null, WORKER, once).put("target", 6L);
        f.relay.relayPass(b);
        String dlq = a.deadLetterQueueUrl().orElseThrow();
        RelayPacket other = f.relay.setup(null, WORKER, once).put("target", 1L);
        aws.sqsClient().sendMessage(r -> r.queueUrl(dlq).messageBody(other.toJson())); // another relay's, dead-lettered

        deliverUntil(a, 40, () -> completions(w, b.relayId()) == 1
                && f.ledger.pooledRelay(a.relayId()).orElseThrow().control() == Control.PARKED);

        assertEquals(Control.PARKED, f.ledger.pooledRelay(a.relayId()).orElseThrow().control());
        assertTrue(f.ledger.pooledRelay(a.relayId()).orElseThrow().reason().startsWith("DEAD_LETTERED"));
        assertEquals(6, n(w, b.relayId()), "the other relay in the pool finished");
        assertEquals(2, f.held(dlq), "a's packet and the other relay's");
        RelayStatus status = control().status(a.relayId());
        assertEquals(RelayState.PARKED, status.relay().state());
        assertEquals(-1, status.visible(), "a pool's counts are not one relay's");

        w.fixed = true;
        RelayControl.Resumed resumed = control().resume(a.relayId());
        f.deliverAll(a, 40);

        assertEquals(1, resumed.packetsMovedBack());
        assertEquals(1, f.held(dlq), "the other relay's packet stays");
        assertEquals(1, completions(w, a.relayId()));
        assertEquals(6, n(w, a.relayId()), "exact after the fix");
    }

    @Test
    void cancelOneRelay_dropsItsPackets_theOtherFinishes() {
        FaultFixture.Worker w = f.use(new FaultFixture.Worker(f.relay, aws));
        w.unitMs = 4_000;
        RelayPacket a = start(f.relay, 9);
        RelayPacket b = start(f.relay, 9);
        deliverUntil(a, 10, () -> f.ledger.pooledRelay(a.relayId()).isPresent());

        TearDownResult r = control().cancel(a.relayId());
        f.deliverAll(a, 60);

        assertFalse(r.queueDeleted(), "the pool stays");
        assertEquals(Control.CANCELLED, f.ledger.pooledRelay(a.relayId()).orElseThrow().control());
        assertEquals(0, completions(w, a.relayId()), "its packets were dropped");
        assertEquals(9, n(w, b.relayId()));
        assertEquals(0, f.held(a.queueUrl()), "nothing left in the pool");
        assertThrows(UnknownRelayException.class, () -> control().status(a.relayId()));
    }

    @Test
    void listAndStatus_showPooledRelays_fromTheLedger() {
        FaultFixture.Worker w = f.use(new FaultFixture.Worker(f.relay, aws));
        w.unitMs = 4_000;
        RelayPacket a = start(f.relay, 20);
        f.deliver(a);
        f.deliver(a);

        List<RelaySummary> list = control().list();
        RelayStatus status = control().status(a.relayId());

        assertEquals(List.of(a.relayId()), list.stream().map(RelaySummary::relayId).toList());
        assertEquals(RelayState.RUNNING, list.get(0).state());
        assertEquals(WORKER, list.get(0).workerFunction());
        assertEquals(a.queueUrl(), list.get(0).queueUrl());
        assertTrue(list.get(0).detail().contains("pool"), list.get(0).detail());
        assertEquals(java.util.OptionalLong.of(2), status.hops());
        RelayPacket queued = RelayPacket.fromJson(f.peek(a.queueUrl()).get(0).body());
        assertEquals(java.util.OptionalLong.of(queued.getLong("n", -1)), status.units(), "every unit so far");
        assertTrue(status.lastHop().isPresent());
    }

    @Test
    void withoutAPoolAndWithoutCreatingIt_setupSaysWhatToDo() {
        RelaySetup noCreate = RelaySetup.builder().pooled(true).createPool(false).build();

        RelaySetupException e = assertThrows(RelaySetupException.class, () -> f.relay.setup(null, WORKER, noCreate));

        assertTrue(e.getMessage().contains(RelaySetup.defaultPoolQueueName(WORKER)) && e.getMessage()
                .contains("createPool(true)"), e.getMessage());
        IllegalArgumentException both = assertThrows(IllegalArgumentException.class,
                () -> RelaySetup.builder().poolQueueName("p").build());
        assertTrue(both.getMessage().contains("pooled(true)"), both.getMessage());
        assertEquals("lambda-relay-pool-orders", RelaySetup.defaultPoolQueueName("orders"));
        assertEquals("orders", PooledQueues.functionName("arn:aws:lambda:us-east-1:123456789012:function:orders:live"));
        assertEquals("orders", PooledQueues.functionName("orders:live"));
    }
}
