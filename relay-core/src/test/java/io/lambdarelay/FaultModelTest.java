package io.lambdarelay;

import io.lambdarelay.local.faults.Faults;
import static io.lambdarelay.FaultFixture.WORKER;
import static io.lambdarelay.FaultFixture.dlq;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import io.lambdarelay.FaultFixture.Worker;
import io.lambdarelay.ledger.LedgerUnavailableException;
import io.lambdarelay.ledger.PartTally;
import io.lambdarelay.ledger.RelayLedger;
import io.lambdarelay.testing.CapturedStderr;
import io.lambdarelay.testing.DelegatingLedger;
import io.lambdarelay.testing.SteppedMapping;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * The fault model on the worker's side: each test is one scenario of docs/operations.md's fault
 * table (its number in the name), injects the SQS or Lambda behaviour that breaks it, and counts
 * the outcome. Time is the fixture's clock; nothing sleeps.
 */
class FaultModelTest extends FaultModelBase {

    private Worker worker(Relay relay) {
        return new Worker(relay, f.clock);
    }

    private static RelaySetup attempts(int maxReceiveCount) {
        return RelaySetup.builder().maxReceiveCount(maxReceiveCount).build();
    }

    @Test
    void s01_aPacketDeadLetteredJustBeforeTheTearDown_keepsItsDlq_thoughSqsDoesNotCountItYet() {
        f.faults.lagCounts(Duration.ofMinutes(1));
        RelayPacket pkt = f.relay.setup(null, WORKER, attempts(1)).put("target", 3L);
        f.relay.relayPass(pkt);
        Worker w = worker(f.relay);
        w.failPart = 0;

        f.mapping(pkt, w, 1).deliver();

        assertEquals(List.of(RelayFailure.Reason.DEAD_LETTERED), w.relayFailures.stream().map(RelayFailure::reason).toList());
        assertFalse(f.exists(pkt.queueUrl()), "the relay is over");
        assertEquals(1, f.held(dlq(pkt)), "the dead-lettered packet and its queue are kept");
    }

    @Test
    void s03_theDrainWatchdogReceivedFirst_byAWorkerWithALedger_takesNoPartsClaim() {
        RelayPacket pkt = f.plain.setup(null, WORKER).put("target", 1L);
        f.plain.fanOut(pkt, 2, (i, p) -> { });
        RelayPacket dog = RelayPacket.create(pkt.header().asPart(0, 2), pkt.policy());
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
        RelayPacket pkt = f.relay.setup(null, WORKER, RelaySetup.builder().batchSize(3).maxReceiveCount(1).build())
                .put("target", 100L);
        f.relay.fanOut(pkt, 3, (i, p) -> p.hopState(p.hopState().withUnitMs(4_000)));
        Worker w = worker(f.relay);
        w.unitMs = 4_000; // two fit a fresh 10 s invocation's first unit each; the third record has 2 s left

        SteppedMapping.Delivery d = f.mapping(pkt, w, 3).deliver();

        assertEquals(3, d.received().size());
        assertEquals(Set.of(), d.failed());
        assertEquals(2, w.unitParts.size(), "two records ran a unit");
        assertEquals(0, f.held(dlq(pkt)), "no healthy part in the dead-letter queue");
        assertEquals(3, f.held(pkt.queueUrl()), "all three parts go on");
    }

    @Test
    void s05_aPartWhoseLastAttemptsAreKilled_isDeadLetteredOnItsNextArrival_andTheFanInEnds() {
        RelayPacket pkt = f.relay.setup(null, WORKER, attempts(2)).put("target", 1L);
        f.relay.fanOut(pkt, 2, (i, p) -> { });
        Worker w = worker(f.relay);
        w.killPart = 1;

        f.mapping(pkt, w, 1).deliverAll(10);

        assertEquals(List.of(RelayFailure.Reason.TOO_MANY_FAILED_PARTS),
                w.relayFailures.stream().map(RelayFailure::reason).toList());
        assertEquals(new PartTally(1, 1, 1), f.ledger.tally(pkt.relayId()));
        assertFalse(f.exists(pkt.queueUrl()), "no orphaned queue or mapping");
        assertTrue(f.lambda.mappings().isEmpty());
        assertEquals(1, f.held(dlq(pkt)));
    }

    @Test
    void s05_aChainWhoseLastAttemptsAreKilled_endsWithOnRelayFailed() {
        RelayPacket pkt = f.plain.setup(null, WORKER, attempts(2)).put("target", 5L);
        f.plain.relayPass(pkt);
        Worker w = worker(f.plain);
        w.killPart = 0;

        SteppedMapping m = f.mapping(pkt, w, 1);
        assertTrue(m.deliver().killed());
        assertTrue(m.deliver().killed());
        m.deliver();

        assertEquals(List.of(RelayFailure.Reason.DEAD_LETTERED), w.relayFailures.stream().map(RelayFailure::reason).toList());
        assertFalse(f.exists(pkt.queueUrl()));
        List<Message> dead = sqs.client().receiveMessage(r -> r.queueUrl(dlq(pkt)).messageAttributeNames("All"))
                .messages();
        assertEquals(AttemptsExhaustedException.class.getName(),
                dead.get(0).messageAttributes().get(Relay.ATTR_ERROR).stringValue());
    }

    @Test
    void s05_aDeadLetterSendAbortedAtTheTimeout_isRetriedOnTheNextArrival() {
        RelayPacket pkt = f.plain.setup(null, WORKER, attempts(2)).put("target", 5L);
        f.plain.relayPass(pkt);
        Worker w = worker(f.plain);
        w.failPart = 0;
        Faults.Injection aborted = f.faults.on("SendMessage", "SendMessageBatch").target(dlq(pkt))
                .fail(AbortedException.create("thread interrupted at the invocation's timeout"));
        SteppedMapping m = f.mapping(pkt, w, 1);
        m.deliver();
        m.deliver(); // the last attempt: its move to the DLQ is aborted
        assertTrue(w.relayFailures.isEmpty());
        aborted.stop();

        m.deliver();

        assertEquals(List.of(RelayFailure.Reason.DEAD_LETTERED), w.relayFailures.stream().map(RelayFailure::reason).toList());
        assertEquals(1, f.held(dlq(pkt)));
        assertFalse(f.exists(pkt.queueUrl()));
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
        RelayPacket pkt = relay.setup(null, WORKER, RelaySetup.builder().maxReceiveCount(1).toleratedFailures(1)
                .build()).put("target", 1L);
        relay.fanOut(pkt, 2, (i, p) -> { });
        Worker w = worker(relay);
        w.failPart = 1;

        f.mapping(pkt, w, 1).deliverAll(10);

        assertEquals(1, w.completed.size(), "the fan-in ended once, its failed part within the tolerance");
        assertEquals(new PartTally(1, 1, 1), f.ledger.tally(pkt.relayId()));
        assertFalse(f.exists(pkt.queueUrl()));
        assertTrue(f.held(dlq(pkt)) >= 1, "kept, with the failed part (a second copy if the move repeated)");
    }

    @Test
    void s06_theLastHopDeliveredTwiceAtOnce_withTheSameMessageId_completesOnce() throws Exception {
        RelayPacket pkt = f.relay.setup(null, WORKER).put("target", 1L);
        f.relay.relayPass(pkt);
        Message last = f.take(pkt.queueUrl()).get(0);
        SQSEvent event = f.event(pkt.queueUrl(), last, 1);
        Worker w = worker(f.relay);
        w.gate = new CountDownLatch(2);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<SQSBatchResponse> a = pool.submit(() -> w.handleRequest(event, f.context()));
            Future<SQSBatchResponse> b = pool.submit(() -> w.handleRequest(event, f.context()));
            assertEquals(List.of(), a.get(20, TimeUnit.SECONDS).getBatchItemFailures());
            assertEquals(List.of(), b.get(20, TimeUnit.SECONDS).getBatchItemFailures());
        } finally {
            pool.shutdownNow();
        }

        assertEquals(2, w.unitParts.size(), "both copies ran the unit (units are at least once)");
        assertEquals(1, w.completed.size(), "onComplete once");
        assertFalse(f.exists(pkt.queueUrl()));
    }

    @Test
    void s06_theLastPartDeliveredTwiceAtOnce_completesOnce_andAHookThatDiedIsRunByTheRedelivery() {
        RelayPacket pkt = f.relay.setup(null, WORKER).put("target", 1L);
        f.relay.fanOut(pkt, 2, (i, p) -> { });
        List<Message> parts = f.take(pkt.queueUrl());
        Worker w = worker(f.relay);
        w.handleRequest(f.event(pkt.queueUrl(), FaultFixture.part(parts, 0), 1), f.context());
        SQSEvent last = f.event(pkt.queueUrl(), FaultFixture.part(parts, 1), 1);
        w.killNextHook = true;

        assertThrows(SteppedMapping.Killed.class, () -> w.handleRequest(last, f.context()));
        w.handleRequest(last, f.context()); // a duplicate while the first invocation's lease runs
        assertEquals(0, w.completed.size());
        assertTrue(f.exists(pkt.queueUrl()), "nobody tore down under the dying holder");

        f.clock.advance(Duration.ofMinutes(1)); // the visibility timeout: the killed invocation is long over
        w.handleRequest(last, f.context());
        w.handleRequest(last, f.context());

        assertEquals(1, w.completed.size(), "the redelivery ran the hook once");
        assertFalse(f.exists(pkt.queueUrl()));
    }

    @Test
    void s10_partsBeyondAnInt_isAnInvalidPacket_thatGoesToTheDlq_notAChainThatCompletes() {
        RelayPacket pkt = f.relay.setup(null, WORKER).put("target", 1L);
        f.relay.fanOut(pkt, 2, (i, p) -> { });
        Message part0 = FaultFixture.part(f.take(pkt.queueUrl()), 0);
        String forged = FaultFixture.withStats(part0.body(), s -> s.put("parts", 4_294_967_297L));
        Worker w = worker(f.relay);

        SQSBatchResponse r = w.handleRequest(f.event(pkt.queueUrl(), "m-forged", forged, 1), f.context());

        assertEquals(List.of(), r.getBatchItemFailures());
        assertInstanceOf(InvalidPacketException.class, w.failures.get(0));
        assertEquals(List.of(), w.completed);
        assertTrue(f.exists(pkt.queueUrl()), "the relay was not torn down");
        assertEquals(1, f.held(dlq(pkt)));
    }

    @Test
    void s11_aUnitThatRanAsTheFirstOfAnInvocation_runsAgainAsTheFirstOfTheNext() {
        RelayPacket pkt = f.relay.setup(null, WORKER, attempts(1)).put("target", 3L);
        pkt.hopState(pkt.hopState().withUnitMs(9_100)); // it took 9.1 s of a 10 s invocation last time
        f.relay.relayPass(pkt);
        Worker w = worker(f.relay);
        w.unitMs = 9_100;

        SteppedMapping.Delivery d = f.mapping(pkt, w, 1).deliver();

        assertEquals(Set.of(), d.failed());
        assertEquals(List.of(), w.failures);
        assertEquals(1, w.unitParts.size());
        assertEquals(0, f.held(dlq(pkt)));
        assertEquals(1, f.held(pkt.queueUrl()), "passed on after its unit");
    }

    @Test
    void s14_aBodyThatIsNotAPacket_goesToTheDlqOnItsFirstReceive_andTheLogSaysWhyWithoutTheBody() {
        RelayPacket pkt = f.relay.setup(null, WORKER);
        Worker w = worker(f.relay);
        String secret = "{\"QueueUrl\":\"" + pkt.queueUrl() + "\",\"UUID\":\"u\",\"ssn\":\"078-05-1120\"";
        SQSBatchResponse moved;
        SQSBatchResponse kept;
        CapturedStderr stderr = CapturedStderr.start();
        try (stderr) {
            moved = w.handleRequest(f.event(pkt.queueUrl(), "m-5", secret, 1), f.context());
            f.faults.on("SendMessage", "SendMessageBatch").target(dlq(pkt)).fail(AbortedException.create("no"));
            kept = w.handleRequest(f.event(pkt.queueUrl(), "m-6", secret, 1), f.context());
        }

        assertEquals(List.of(), moved.getBatchItemFailures());
        assertEquals(1, f.held(dlq(pkt)));
        assertEquals(List.of("m-6"), kept.getBatchItemFailures().stream()
                .map(SQSBatchResponse.BatchItemFailure::getItemIdentifier).toList());
        String logs = stderr.text();
        int max = 5 + RelaySetup.REDRIVE_BACKSTOP;
        assertTrue(logs.contains("message m-5 is not a relay packet (MALFORMED") && logs.contains("receive 1 of "
                + max + ": moved to the dead-letter queue"), logs);
        assertTrue(logs.contains("message m-6 is not a relay packet") && logs.contains("SQS refused the move; it comes "
                + "back until SQS moves it after receive " + max), logs);
        assertFalse(logs.contains("078-05-1120"), "the body is never logged");
    }

    @Test
    void s15_aForgedPacketNamingAnotherRelaysMappingAndDlq_tearsDownOnlyItsOwnRelay() {
        RelayPacket victim = f.relay.setup(null, WORKER);
        RelayPacket own = f.relay.setup(null, WORKER).put("target", 1L);
        f.relay.relayPass(own);
        Message m = f.take(own.queueUrl()).get(0);
        String forged = m.body().replace(own.mappingUuid(), victim.mappingUuid()).replace(dlq(own), dlq(victim));
        assertTrue(forged.contains(victim.mappingUuid()) && forged.contains(dlq(victim)));
        Worker w = worker(f.relay);

        w.handleRequest(f.event(own.queueUrl(), "m-forged", forged, 1), f.context());

        assertEquals(1, w.completed.size());
        assertFalse(f.exists(own.queueUrl()));
        assertFalse(f.exists(dlq(own)), "its own DLQ, found from its queue's redrive policy, is gone");
        assertTrue(f.lambda.mappings().containsKey(victim.mappingUuid()), "the other relay's mapping stays");
        assertFalse(f.lambda.mappings().containsKey(own.mappingUuid()));
        assertTrue(f.exists(victim.queueUrl()) && f.exists(dlq(victim)), "the other relay's queues stay");
    }
}
