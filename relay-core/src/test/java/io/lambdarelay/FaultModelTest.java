package io.lambdarelay;

import static io.lambdarelay.FaultFixture.WORKER;
import static io.lambdarelay.FaultFixture.dlq;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.lambdarelay.FaultFixture.Worker;
import io.lambdarelay.janitor.JanitorReport;
import io.lambdarelay.janitor.RelayJanitor;
import io.lambdarelay.ledger.LedgerUnavailableException;
import io.lambdarelay.ledger.PartTally;
import io.lambdarelay.ledger.RelayLedger;
import io.lambdarelay.local.Delivery;
import io.lambdarelay.local.InvocationEvent;
import io.lambdarelay.local.faults.Faults;
import io.lambdarelay.local.faults.InjectedFault;
import io.lambdarelay.testing.CapturedStderr;
import io.lambdarelay.testing.DelegatingLedger;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * The fault model on the worker's side: each test is one scenario of docs/operations.md's fault
 * table (its number in the name), injects the SQS or Lambda behaviour that breaks it, and counts
 * the outcome. The test delivers each batch through LocalAws; time is its virtual clock; nothing sleeps.
 */
class FaultModelTest extends FaultModelBase {

    /** A worker, which the function runs from now on. */
    private Worker worker(Relay relay) {
        return f.use(new Worker(relay, aws));
    }

    /** A relay that ends (not parks) when its packets are dead-lettered: these scenarios are about its end. */
    private static RelaySetup attempts(int maxReceiveCount) {
        return RelaySetup.builder().maxReceiveCount(maxReceiveCount).parkWhenDeadLettered(false).build();
    }

    @Test
    void s01_aPacketDeadLetteredJustBeforeTheTearDown_keepsItsDlq_thoughSqsDoesNotCountItYet() {
        f.faults.lagCounts(Duration.ofMinutes(1));
        RelayPacket pkt = f.setup(f.relay, attempts(1)).put("target", 3L);
        f.relay.relayPass(pkt);
        Worker w = worker(f.relay);
        f.failUnitsOf(0);

        f.deliver(pkt);

        assertEquals(List.of(RelayFailure.Reason.DEAD_LETTERED), w.relayFailures.stream().map(RelayFailure::reason).toList());
        if (!f.pooled) { // a pool is never torn down, so no count decides whether its dead-letter queue stays
            assertFalse(f.injected(InjectedFault.Kind.COUNTS_LAGGED).isEmpty(), "the DLQ's count lagged");
        }
        assertTrue(f.over(pkt), "the relay is over");
        f.faults.lagCounts(null); // the counts catch up
        assertEquals(1, f.held(dlq(pkt)), "the dead-lettered packet and its queue are kept");
    }

    @Test
    void s03_theDrainWatchdogReceivedFirst_byAWorkerWithALedger_takesNoPartsClaim() {
        assumeFalse(f.pooled, "not in pooled mode: the drain watchdog watches a fan-out without a ledger, which a pool refuses");
        RelayPacket pkt = f.setup(f.plain).put("target", 1L);
        f.plain.fanOut(pkt, 2, (i, p) -> { });
        RelayPacket dog = RelayPacket.create(pkt.header().asPart(0, 2), pkt.policy(), pkt.values());
        dog.hopState(HopState.START.withKind(HopState.Kind.WATCHDOG));
        f.plain.relayPass(dog); // as DrainWatchdog.start sends it, without the 60 s delay
        List<Message> msgs = f.take(pkt.queueUrl());
        Message watchdog = msgs.stream().filter(m -> RelayPacket.fromJson(m.body()).hopState().kind()
                == HopState.Kind.WATCHDOG).findFirst().orElseThrow();
        Worker w = worker(f.relay);

        w.handleRequest(f.event(pkt.queueUrl(), watchdog, 1), f.context());
        w.handleRequest(f.event(pkt.queueUrl(), FaultFixture.part(msgs, 0), 1), f.context());

        assertEquals(List.of(0), w.unitParts, "part 0 ran: the watchdog's hop did not take its claim");
    }

    @Test
    void s04_inABatch_aRecordLeftWithoutTimeForItsUnit_isPassedOnUntouched_notFailed() {
        RelayPacket pkt = f.setup(f.relay, RelaySetup.builder().batchSize(3).maxReceiveCount(1).build())
                .put("target", 100L);
        f.relay.fanOut(pkt, 3, (i, p) -> p.hopState(p.hopState().withUnitMs(4_000)));
        Worker w = worker(f.relay);
        w.unitMs = 4_000; // two fit a fresh 10 s invocation's first unit each; the third record has 2 s left

        Delivery d = f.deliver(pkt);

        assertEquals(3, d.messageIds().size());
        assertEquals(Set.of(), d.failedIds());
        assertEquals(2, w.unitParts.size(), "two records ran a unit");
        assertEquals(0, f.held(dlq(pkt)), "no healthy part in the dead-letter queue");
        assertEquals(3, f.held(pkt.queueUrl()), "all three parts go on");
    }

    @Test
    void s05_aPartWhoseLastAttemptsAreKilled_isDeadLetteredOnItsNextArrival_andTheFanInEnds() {
        RelayPacket pkt = f.setup(f.relay, attempts(2)).put("target", 1L);
        f.relay.fanOut(pkt, 2, (i, p) -> { });
        Worker w = worker(f.relay);
        f.killUnitsOf(1);

        f.deliverAll(pkt, 10);

        assertEquals(List.of(RelayFailure.Reason.TOO_MANY_FAILED_PARTS),
                w.relayFailures.stream().map(RelayFailure::reason).toList());
        assertEquals(2, f.injected(InjectedFault.Kind.INVOCATION_KILLED).size(), "both attempts died");
        assertEquals(new PartTally(1, 1, 1), f.ledger.tally(pkt.relayId()));
        assertTrue(f.over(pkt), "no orphaned queue or mapping");
        assertTrue(f.noRelayMappingLeft());
        assertEquals(1, f.held(dlq(pkt)));
    }

    @Test
    void s05_aChainWhoseLastAttemptsAreKilled_endsWithOnRelayFailed() {
        RelayPacket pkt = f.setup(f.plain, attempts(2)).put("target", 5L);
        f.plain.relayPass(pkt);
        Worker w = worker(f.plain);
        f.killUnitsOf(0);

        assertEquals(InvocationEvent.Outcome.FAILED, f.deliver(pkt).outcome());
        assertEquals(InvocationEvent.Outcome.FAILED, f.deliver(pkt).outcome());
        assertEquals(2, f.injected(InjectedFault.Kind.INVOCATION_KILLED).size());
        f.deliver(pkt);

        assertEquals(List.of(RelayFailure.Reason.DEAD_LETTERED), w.relayFailures.stream().map(RelayFailure::reason).toList());
        assertEquals(2, f.injected(InjectedFault.Kind.INVOCATION_KILLED).size(), "no unit ran on the third");
        assertTrue(f.over(pkt));
        List<Message> dead = aws.sqsClient().receiveMessage(r -> r.queueUrl(dlq(pkt)).messageAttributeNames("All"))
                .messages();
        assertEquals(AttemptsExhaustedException.class.getName(),
                dead.get(0).messageAttributes().get(Relay.ATTR_ERROR).stringValue());
    }

    @Test
    void s05_aDeadLetterSendAbortedAtTheTimeout_isRetriedOnTheNextArrival() {
        RelayPacket pkt = f.setup(f.plain, attempts(2)).put("target", 5L);
        f.plain.relayPass(pkt);
        Worker w = worker(f.plain);
        f.failUnitsOf(0);
        Faults.Injection aborted = f.faults.on("SendMessage", "SendMessageBatch").target(dlq(pkt))
                .fail(AbortedException.create("thread interrupted at the invocation's timeout"));
        f.deliver(pkt);
        f.deliver(pkt); // the last attempt: its move to the DLQ is aborted
        assertTrue(w.relayFailures.isEmpty());
        aborted.stop();

        f.deliver(pkt);

        assertEquals(List.of(RelayFailure.Reason.DEAD_LETTERED), w.relayFailures.stream().map(RelayFailure::reason).toList());
        assertEquals(1, f.held(dlq(pkt)));
        assertTrue(f.over(pkt));
    }

    @Test
    void s05_aLedgerFailureAfterDeadLettering_failsTheRecord_andItsNextArrivalCountsThePart() {
        AtomicBoolean failOnce = new AtomicBoolean(true);
        RelayLedger flakyLedger = new DelegatingLedger(f.ledger) {
            @Override
            public PartTally finishPart(String relayId, int part, boolean failed) {
                if (failed && failOnce.getAndSet(false)) {
                    throw new LedgerUnavailableException("table relay-ledger unreachable", null);
                }
                return super.finishPart(relayId, part, failed);
            }
        };
        Relay relay = f.relay(flakyLedger);
        RelayPacket pkt = f.setup(relay, RelaySetup.builder().maxReceiveCount(1).toleratedFailures(1)
                .build()).put("target", 1L);
        relay.fanOut(pkt, 2, (i, p) -> { });
        Worker w = worker(relay);
        f.failUnitsOf(1);

        f.deliverAll(pkt, 10);

        assertEquals(1, w.completed.size(), "the fan-in ended once, its failed part within the tolerance");
        assertEquals(new PartTally(1, 1, 1), f.ledger.tally(pkt.relayId()));
        assertTrue(f.over(pkt));
        assertTrue(f.held(dlq(pkt)) >= 1, "kept, with the failed part (a second copy if the move repeated)");
    }

    @Test
    void s06_theLastHopDeliveredTwiceAtOnce_withTheSameMessageId_completesOnce() {
        RelayPacket pkt = f.setup(f.relay).put("target", 1L);
        f.relay.relayPass(pkt);
        Worker w = worker(f.relay);
        w.gate = new CountDownLatch(2); // both invocations inside the unit at once
        f.faults.deliverTwice(FaultFixture.queueOf(pkt), 1);

        Delivery d = f.deliver(pkt);

        assertTrue(d.deliveredTwice()); // the copy that found the end claimed returned its record: the queue went anyway
        assertEquals(2, w.unitParts.size(), "both copies ran the unit (units are at least once)");
        assertEquals(1, w.completed.size(), "onComplete once");
        assertTrue(f.over(pkt));
    }

    @Test
    void s06_theLastPartDeliveredTwiceAtOnce_completesOnce_andAHookThatDiedIsRunByTheRedelivery() {
        RelayPacket pkt = f.setup(f.relay).put("target", 1L);
        f.relay.fanOut(pkt, 2, (i, p) -> { });
        Worker w = worker(f.relay);
        assertTrue(f.deliver(pkt).succeeded(), "the first part");
        f.faults.on("Complete").times(1).killInvocationBefore();
        f.faults.deliverTwice(FaultFixture.queueOf(pkt), 1);

        Delivery last = f.deliver(pkt); // one copy's hook dies; the other arrives while its lease runs
        assertTrue(last.deliveredTwice());
        assertEquals(1, f.injected(InjectedFault.Kind.INVOCATION_KILLED).size());
        assertEquals(0, w.completed.size());
        assertTrue(f.stillThere(pkt), "nobody tore down under the dying holder");
        assertEquals(1, f.held(pkt.queueUrl()), "the duplicate did not take the message away");

        List<Delivery> redelivered = f.deliverAll(pkt, 5); // after the visibility timeout: the lease is long over

        assertEquals(1, redelivered.size());
        assertTrue(redelivered.get(0).succeeded());
        assertEquals(1, w.completed.size(), "the redelivery ran the hook once");
        assertTrue(f.over(pkt));
    }

    @Test
    void s10_partsBeyondAnInt_isAnInvalidPacket_thatGoesToTheDlq_notAChainThatCompletes() {
        RelayPacket pkt = f.setup(f.relay).put("target", 1L);
        f.relay.fanOut(pkt, 2, (i, p) -> { });
        Message part0 = FaultFixture.part(f.take(pkt.queueUrl()), 0);
        String forged = FaultFixture.withStats(part0.body(), s -> s.put("parts", 4_294_967_297L));
        aws.sqsClient().sendMessage(r -> r.queueUrl(pkt.queueUrl()).messageBody(forged));
        Worker w = worker(f.relay);

        Delivery d = f.deliver(pkt);

        assertEquals(Set.of(), d.failedIds());
        assertInstanceOf(InvalidPacketException.class, w.failures.get(0));
        assertEquals(List.of(), w.completed);
        assertTrue(f.stillThere(pkt), "the relay was not torn down");
        assertEquals(1, f.held(dlq(pkt)));
    }

    @Test
    void s11_aUnitThatRanAsTheFirstOfAnInvocation_runsAgainAsTheFirstOfTheNext() {
        RelayPacket pkt = f.setup(f.relay, attempts(1)).put("target", 3L);
        pkt.hopState(pkt.hopState().withUnitMs(9_100)); // it took 9.1 s of a 10 s invocation last time
        f.relay.relayPass(pkt);
        Worker w = worker(f.relay);
        w.unitMs = 9_100;

        Delivery d = f.deliver(pkt);

        assertEquals(Set.of(), d.failedIds());
        assertEquals(List.of(), w.failures);
        assertEquals(1, w.unitParts.size());
        assertEquals(0, f.held(dlq(pkt)));
        assertEquals(1, f.held(pkt.queueUrl()), "passed on after its unit");
    }

    @Test
    void s14_aBodyThatIsNotAPacket_goesToTheDlqOnItsFirstReceive_andTheLogSaysWhyWithoutTheBody() {
        RelayPacket pkt = f.setup(f.relay);
        worker(f.relay);
        String secret = "{\"QueueUrl\":\"" + pkt.queueUrl() + "\",\"UUID\":\"u\",\"ssn\":\"078-05-1120\"";
        Delivery moved;
        Delivery kept;
        CapturedStderr stderr = CapturedStderr.start();
        try (stderr) {
            aws.sqsClient().sendMessage(r -> r.queueUrl(pkt.queueUrl()).messageBody(secret));
            moved = f.deliver(pkt);
            f.faults.on("SendMessage", "SendMessageBatch").target(dlq(pkt)).fail(AbortedException.create("no"));
            aws.sqsClient().sendMessage(r -> r.queueUrl(pkt.queueUrl()).messageBody(secret));
            kept = f.deliver(pkt);
        }

        assertEquals(Set.of(), moved.failedIds());
        assertEquals(1, f.held(dlq(pkt)));
        assertEquals(Set.copyOf(kept.messageIds()), kept.failedIds());
        String logs = stderr.text();
        int max = 5 + RelaySetup.REDRIVE_BACKSTOP;
        assertTrue(logs.contains("message " + moved.messageIds().get(0) + " is not a relay packet (MALFORMED")
                && logs.contains("receive 1 of " + max + ": moved to the dead-letter queue"), logs);
        assertTrue(logs.contains("message " + kept.messageIds().get(0) + " is not a relay packet")
                && logs.contains("SQS refused the move; it comes back until SQS moves it after receive " + max), logs);
        assertFalse(logs.contains("078-05-1120"), "the body is never logged");
    }

    @Test
    void s15_aForgedPacketNamingAnotherRelaysMappingAndDlq_tearsDownOnlyItsOwnRelay() {
        assumeFalse(f.pooled, "not in pooled mode: a pooled relay has no mapping or dead-letter queue of its own to tear down; PooledRelayTest cancels one relay among others");
        RelayPacket victim = f.setup(f.relay);
        RelayPacket own = f.setup(f.relay).put("target", 1L);
        f.relay.relayPass(own);
        Message m = f.take(own.queueUrl()).get(0);
        String forged = m.body().replace(own.mappingUuid(), victim.mappingUuid()).replace(dlq(own), dlq(victim));
        assertTrue(forged.contains(victim.mappingUuid()) && forged.contains(dlq(victim)));
        aws.sqsClient().sendMessage(r -> r.queueUrl(own.queueUrl()).messageBody(forged));
        Worker w = worker(f.relay);

        assertTrue(f.deliver(own).succeeded());

        assertEquals(1, w.completed.size());
        assertTrue(f.over(own));
        assertFalse(f.exists(dlq(own)), "its own DLQ, found from its queue's redrive policy, is gone");
        assertTrue(f.mappings().contains(victim.mappingUuid()), "the other relay's mapping stays");
        assertFalse(f.mappings().contains(own.mappingUuid()));
        assertTrue(f.exists(victim.queueUrl()) && f.exists(dlq(victim)), "the other relay's queues stay");
    }

    @Test
    void s16_aMappingDeletedUnderARunningRelay_stallsIt_withItsPacketKept_untilTheJanitorRemovesItAtItsExpiry() {
        assumeFalse(f.pooled, "not in pooled mode: the janitor removes relays' own queues; a pool is long-lived and never swept");
        RelayPacket pkt = f.setup(f.relay, RelaySetup.builder().expiresAfter(Duration.ofHours(2)).build())
                .put("target", 30L);
        f.relay.relayPass(pkt);
        Worker w = worker(f.relay);
        f.faults.on("Unit").target(FaultFixture.unitsOf(0)).after(3).times(1).deleteMapping(); // during unit 4

        List<Delivery> deliveries = f.deliverAll(pkt, 50);

        assertEquals(1, deliveries.size(), "nothing delivers after the invocation whose mapping went");
        assertTrue(deliveries.get(0).succeeded(), "that invocation went on and passed the packet");
        assertEquals(1, f.injected(InjectedFault.Kind.MAPPING_DELETED).size());
        assertFalse(f.mappings().contains(pkt.mappingUuid()));
        assertEquals(1, f.held(pkt.queueUrl()), "the packet waits, as of its last unit");
        long n = RelayPacket.fromJson(aws.sqsClient().receiveMessage(r -> r.queueUrl(pkt.queueUrl()).visibilityTimeout(0))
                .messages().get(0).body()).getLong("n", 0);
        assertEquals(w.unitParts.size(), n, "every unit that ran is in it");
        assertEquals(List.of(), w.completed);
        assertEquals(List.of(), w.relayFailures);
        RelayJanitor janitor = RelayJanitor.builder().sqsClient(aws.sqsClient()).lambdaClient(aws.lambdaClient())
                .clock(f.clock).build();
        assertEquals(List.of(), janitor.sweep().removedRelays(), "neither expired nor idle");

        f.advance(Duration.ofHours(2).plusMinutes(1));
        JanitorReport report = janitor.sweep();

        assertEquals(List.of(pkt.relayId()), report.removedRelays(), "removed at its expiry");
        assertTrue(f.over(pkt));
        assertFalse(f.exists(dlq(pkt)), "its DLQ was empty");
    }
}
