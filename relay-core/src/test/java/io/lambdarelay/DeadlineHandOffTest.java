package io.lambdarelay;

import static io.lambdarelay.FaultFixture.WORKER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lambdarelay.FaultFixture.Worker;
import io.lambdarelay.ledger.PartTally;
import io.lambdarelay.local.Delivery;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * The deadline hand-off: when an invocation's time runs out during a unit, its records are handed
 * on as of their last completed unit and their messages deleted, so only the running unit runs
 * again, and never twice over. The deadline is fired by the test (from inside a unit, or from
 * another thread at the moment a unit completes); the test delivers each batch through LocalAws;
 * time is its virtual clock; nothing sleeps.
 */
class DeadlineHandOffTest extends FaultModelBase {

    private final ExecutorService threads = Executors.newCachedThreadPool();

    @AfterEach
    void stopThreads() {
        threads.shutdownNow();
    }

    /** A worker whose deadline the test fires: at unit {@link #fireAtUnit} of part {@link #firePart}, or by hand. */
    static class DeadlineWorker extends Worker {
        volatile Deadline deadline;
        volatile int fireAtUnit = -1;
        volatile int firePart = 0;
        /** Instead of a part, fire in the invocation's second record. */
        volatile boolean fireInSecondRecord;
        /** Parts in the order the current invocation saw them. */
        final List<Integer> partsSeen = new ArrayList<>();
        /** Fire at that unit of every invocation (a unit that always hangs), not only the first time. */
        volatile boolean fireEveryTime;
        /** Reached by the unit at fireAtUnit and by the firing thread, to meet at the unit's end. */
        volatile CyclicBarrier race;
        volatile boolean fired;
        final List<Boolean> fires = new ArrayList<>();
        /** Units per part in the current invocation. */
        private final Map<Integer, Integer> unitsThisInvocation = new TreeMap<>();

        DeadlineWorker(Relay relay, FaultFixture f) {
            super(relay, f.aws);
        }

        @Override
        Deadline.Alarm deadlineAlarm() {
            unitsThisInvocation.clear(); // called once per invocation
            partsSeen.clear();
            return d -> deadline = d;
        }

        @Override
        protected boolean processUnit(RelayPacket pkt) throws Exception {
            boolean more = super.processUnit(pkt);
            int unit = unitsThisInvocation.merge(pkt.part(), 1, Integer::sum);
            if (unit == 1) {
                partsSeen.add(pkt.part());
            }
            boolean target = fireInSecondRecord ? partsSeen.indexOf(pkt.part()) == 1 : pkt.part() == firePart;
            if (target && unit == fireAtUnit && (fireEveryTime || !fired)) {
                fired = true;
                CyclicBarrier r = race;
                if (r != null) {
                    r.await(10, TimeUnit.SECONDS); // the firing thread goes now; this unit returns now
                } else {
                    fires.add(deadline.fire()); // the deadline comes while the unit still runs
                }
            }
            return more;
        }
    }

    /** A worker, which the function runs from now on. */
    private DeadlineWorker worker(Relay relay) {
        return f.use(new DeadlineWorker(relay, f));
    }

    private static long n(Message m) {
        return RelayPacket.fromJson(m.body()).getLong("n", 0);
    }

    @Test
    void chain_deadlineDuringAUnit_handsOnAsOfTheLastCompletedUnit_andDeletesTheMessage() {
        RelayPacket pkt = f.setup(f.plain).put("target", 20L);
        f.plain.relayPass(pkt);
        DeadlineWorker w = worker(f.plain);
        w.unitMs = 1_000;
        w.fireAtUnit = 4; // three units completed, the fourth still running

        Delivery d = f.deliver(pkt);

        assertEquals(List.of(true), w.fires);
        assertEquals(Set.of(), d.failedIds(), "nothing for SQS to deliver again");
        assertEquals(0, WORKER_INTERRUPTED.get(), "the hand-off's interrupt does not outlive the handler");
        List<Message> queued = f.take(pkt.queueUrl());
        assertEquals(1, queued.size(), "the received message is gone, the handed-on one is there");
        RelayPacket next = RelayPacket.fromJson(queued.get(0).body());
        assertEquals(3, next.getLong("n", 0), "as after the third unit");
        assertEquals(2, next.hop());
        assertEquals(0, next.hopState().idleHops());
        assertTrue(next.hopState().unitMs() >= 1_000, "the next invocation knows what a unit takes");
    }

    @Test
    void chain_withAndWithoutLedger_endsExact_andOnlyTheInterruptedUnitRunsTwice() {
        for (Relay relay : List.of(f.plain, f.relay)) {
            RelayPacket pkt = f.setup(relay).put("target", 30L);
            relay.relayPass(pkt);
            DeadlineWorker w = worker(relay);
            w.unitMs = 1_000;
            w.fireAtUnit = 5;

            f.deliverAll(pkt, 50);

            assertEquals(1, w.completed.size(), "completed once");
            assertEquals(30, w.completed.get(0).getLong("n", 0), "exact");
            assertEquals(31, w.unitParts.size(), "30 units and the one the deadline cut short");
            assertTrue(f.over(pkt));
        }
    }

    @Test
    void race_unitCompletesAsTheDeadlineFires_exactlyOneOfThemPassesTheHop() throws Exception {
        Map<String, Integer> outcomes = new TreeMap<>();
        for (Relay relay : List.of(f.plain, f.relay)) {
            for (int i = 0; i < 40; i++) {
                RelayPacket pkt = f.setup(relay).put("target", 100L);
                relay.relayPass(pkt);
                DeadlineWorker w = worker(relay);
                w.unitMs = 2_500; // after two units of a 10 s invocation, no time for a third: the worker passes
                w.fireAtUnit = 2;
                CyclicBarrier race = new CyclicBarrier(2);
                w.race = race;
                Future<Boolean> firing = threads.submit(() -> {
                    race.await(10, TimeUnit.SECONDS);
                    return w.deadline.fire();
                });

                Delivery d = f.deliver(pkt);
                boolean handedOff = firing.get(10, TimeUnit.SECONDS);

                assertEquals(Set.of(), d.failedIds());
                List<Message> queued = f.take(pkt.queueUrl());
                assertEquals(1, queued.size(), "one hop 2, never two (run " + i + ")");
                assertEquals(handedOff ? 1 : 2, n(queued.get(0)), "the winner's packet");
                outcomes.merge((relay == f.plain ? "plain " : "ledger ") + (handedOff ? "deadline" : "unit"), 1,
                        Integer::sum);
                assertEquals(0, WORKER_INTERRUPTED.get(), "run " + i);
            }
        }
        assertEquals(80, outcomes.values().stream().mapToInt(Integer::intValue).sum(), outcomes.toString());
    }

    @Test
    void batch_eachRecordIsHandedOnAsOfItsOwnLastUnit_andTheRelayEndsExact() {
        RelayPacket pkt = f.setup(f.relay, RelaySetup.builder().batchSize(3).build()).put("target", 6L);
        f.relay.fanOut(pkt, 3, (i, p) -> { });
        DeadlineWorker w = worker(f.relay);
        w.unitMs = 1_000;
        w.fireInSecondRecord = true;
        w.fireAtUnit = 2; // the first record ran all its 6 units; the second completed 1 and runs its second; the third waits
        Delivery d = f.deliver(pkt);

        assertEquals(3, d.messageIds().size());
        assertEquals(List.of(true), w.fires);
        assertEquals(Set.of(), d.failedIds());
        List<Message> queued = f.peek(pkt.queueUrl());
        Map<Integer, Long> byPart = queued.stream().collect(Collectors.toMap(
                m -> RelayPacket.fromJson(m.body()).part(), DeadlineHandOffTest::n));
        List<Integer> order = List.copyOf(w.partsSeen);
        assertEquals(2, order.size(), "the third record ran no unit");
        int third = Set.of(0, 1, 2).stream().filter(p -> !order.contains(p)).findFirst().orElseThrow();
        assertEquals(Map.of(order.get(1), 1L, third, 0L), byPart,
                "the first record finished; the second as of its first unit; the third untouched");
        assertEquals(List.of(order.get(0)), w.partsCompleted);
        f.deliverAll(pkt, 20);

        assertEquals(1, w.completed.size());
        assertEquals(new PartTally(3, 0, 18), f.ledger.tally(pkt.relayId()), "the cut-short unit is not counted");
        assertEquals(19, w.unitParts.size(), "18 units and part 1's second, cut short once");
    }

    @Test
    void fanOutPart_deadlineInItsLastUnit_doesNotCountThePart_theRepeatDoes() {
        RelayPacket pkt = f.setup(f.relay).put("target", 3L);
        f.relay.fanOut(pkt, 2, (i, p) -> { });
        DeadlineWorker w = worker(f.relay);
        w.unitMs = 1_000;
        w.firePart = 1;
        w.fireAtUnit = 3; // its last unit: returns false, but after the deadline handed the part on

        f.deliverAll(pkt, 20);

        assertEquals(List.of(true), w.fires);
        assertEquals(List.of(0, 1), w.partsCompleted.stream().sorted().toList(), "each part completed once");
        assertEquals(1, w.completed.size());
        assertEquals(new PartTally(2, 0, 6), f.ledger.tally(pkt.relayId()));
        assertEquals(7, w.unitParts.size(), "3 + 3 units and the cut-short last unit of part 1");
    }

    @Test
    void aUnitThatAlwaysOverruns_isHandedOnAsIdleHops_untilTheNoProgressGuardEndsTheRelay() {
        RelayPacket pkt = f.setup(f.plain, RelaySetup.builder().maxIdleHops(3).build())
                .put("target", 10L);
        f.plain.relayPass(pkt);
        DeadlineWorker w = worker(f.plain);
        w.fireAtUnit = 1;
        w.fireEveryTime = true;

        int deliveries = f.deliverAll(pkt, 20).size();

        assertEquals(List.of(RelayFailure.Reason.NO_PROGRESS),
                w.relayFailures.stream().map(RelayFailure::reason).toList());
        assertEquals(List.of(true, true, true, true), w.fires, "idle hops 1 to 4, the fourth over the limit of 3");
        assertEquals(5, deliveries);
        assertTrue(f.over(pkt), "torn down");
    }

    @Test
    void handOffThatCannotPass_leavesTheMessageToSqs_andTheUnitGoesOn() {
        RelayPacket pkt = f.setup(f.plain).put("target", 100L);
        f.plain.relayPass(pkt);
        DeadlineWorker w = worker(f.plain);
        w.fireAtUnit = 1;
        f.faults.on("SendMessage", "SendMessageBatch").target(pkt.queueUrl())
                .fail(software.amazon.awssdk.core.exception.SdkClientException.create("down"));

        Delivery d = f.deliver(pkt);

        assertEquals(List.of(false), w.fires, "nothing was passed, so nothing was handed off");
        assertTrue(w.unitParts.size() > 1, "the units went on after the failed hand-off");
        assertEquals(Set.copyOf(d.messageIds()), d.failedIds(),
                "the worker's own pass failed too: SQS delivers the message again");
        assertEquals(1, f.held(pkt.queueUrl()), "the packet is not lost");
        assertNotNull(w.deadline);
    }

    @Test
    void handsOffAtDeadline_false_startsNoAlarm_soLambdasTimeoutEndsTheInvocation() {
        Worker on = new Worker(f.plain, aws);
        Worker off = new Worker(f.plain, aws) {
            @Override
            protected boolean handsOffAtDeadline() {
                return false;
            }
        };
        assertTrue(on.deadlineAlarm() == Deadline.REAL_TIME, "on by default");
        Deadline.Alarm alarm = off.deadlineAlarm();
        assertFalse(alarm == Deadline.REAL_TIME);
        RelayPacket pkt = f.setup(f.plain);
        Deadline d = new Deadline(f.context(), List.of(), f.plain::getRelayPkt, f.plain.wiring(), alarm);
        alarm.start(d); // nothing to start: the hand-off never fires by itself
        d.close();
        assertEquals(0, f.held(pkt.queueUrl()));
    }
}
