package io.lambdarelay;

import io.lambdarelay.local.faults.InjectedFault;
import io.lambdarelay.local.faults.Faults;
import static io.lambdarelay.FaultFixture.WORKER;
import static io.lambdarelay.FaultFixture.dlq;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.lambdarelay.FaultFixture.Worker;
import io.lambdarelay.internal.RelayTeardown;
import io.lambdarelay.janitor.JanitorReport;
import io.lambdarelay.janitor.RelayJanitor;
import io.lambdarelay.ledger.PartTally;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.SqsException;

/**
 * The fault model around the worker: starting, redriving and tearing down relays, each test one
 * scenario of docs/operations.md's fault table (its number in the name).
 */
class FaultModelOperationsTest extends FaultModelBase {

    @Test
    void s02_redriveWithALedger_passesEachPacketOnAsANewHop_andTheFailedPartCountsAgain() {
        RelayPacket pkt = f.setup(f.relay, RelaySetup.builder().maxReceiveCount(1).toleratedFailures(1)
                .build()).put("target", 1L);
        f.relay.fanOut(pkt, 3, (i, p) -> { });
        List<Message> parts = f.take(pkt.queueUrl());
        Worker w = f.use(new Worker(f.relay, aws));
        Faults.Injection bug = f.failUnitsOf(1);
        w.handleRequest(f.event(pkt.queueUrl(), FaultFixture.part(parts, 1), 1), f.context());
        w.handleRequest(f.event(pkt.queueUrl(), FaultFixture.part(parts, 0), 1), f.context());
        assertEquals(new PartTally(1, 1, 1), f.ledger.tally(pkt.relayId()));
        bug.stop(); // the bug is fixed

        assertEquals(1, f.relay.redrive(pkt));
        f.deliverAll(pkt, 5);

        assertEquals(List.of(0, 1), w.unitParts, "the redriven part ran, not dropped as a fork");
        assertEquals(new PartTally(2, 0, 2), f.ledger.tally(pkt.relayId()));
        w.handleRequest(f.event(pkt.queueUrl(), FaultFixture.part(parts, 2), 1), f.context());
        assertEquals(1, w.completed.size());
        assertEquals(new PartTally(3, 0, 3), f.ledger.tally(pkt.relayId()));
        assertTrue(f.deadLettersGone(pkt), "nothing failed in the end: the empty DLQ went with the relay");
    }

    @Test
    void s07_aPartialFanOut_hasItsWatchdog_soPassingTheUnsentPartsAgainIsAllItTakes() {
        assumeFalse(f.pooled, "not in pooled mode: a pool refuses a fan-out without a ledger, which the watchdog is for");
        RelayPacket pkt = f.setup(f.plain).put("target", 1L);
        f.faults.on("SendMessageBatch").after(1).times(1)
                .fail(SqsException.builder().message("injected 500").statusCode(500).build()); // the second fails whole

        PartialPassException e = assertThrows(PartialPassException.class, () -> f.plain.fanOut(pkt, 20, (i, p) -> { }));
        assertEquals(10, e.unsent().size());
        f.plain.relayPassAll(e.unsent());

        assertEquals(21, f.held(pkt.queueUrl()), "20 parts and the drain watchdog (delayed)");
    }

    @Test
    void s08_aMappingWhoseCreateResponseWasLost_isRolledBackWithTheQueues() {
        f.faults.on("CreateEventSourceMapping").times(1).loseResponse();
        int createsBefore = f.faults.calls("CreateEventSourceMapping");

        RelaySetupException e = assertThrows(RelaySetupException.class, () -> f.setup(f.relay));

        assertEquals(1, f.faults.calls("CreateEventSourceMapping") - createsBefore, "the mapping was created");
        assertEquals(1, f.injected(InjectedFault.Kind.RESPONSE_LOST).size());
        assertTrue(f.mappings().isEmpty(), "and deleted again");
        assertTrue(f.queueUrls().isEmpty());
        assertTrue(e.getMessage().endsWith("everything it had created was deleted"), e.getMessage());
    }

    @Test
    void s08_aDeadlineBeyondWhatJavaCanHold_isRefusedBeforeAnythingIsCreated() {
        RelaySetup forever = RelaySetup.builder().expiresAfter(Duration.ofSeconds(Long.MAX_VALUE)).build();

        RelaySetupException e = assertThrows(RelaySetupException.class, () -> f.setup(f.relay, forever));

        assertTrue(e.getMessage().contains("expiresAfter"), e.getMessage());
        assertTrue(f.mappings().isEmpty());
        assertTrue(f.queueUrls().isEmpty());
    }

    @Test
    void s09_aTearDownThatStoppedAfterTheMapping_isFinishedByTheJanitor_whatEverTheQueueHolds() {
        assumeFalse(f.pooled, "not in pooled mode: a pooled relay's end deletes nothing, and the janitor leaves pools alone");
        RelayPacket pkt = f.setup(f.relay).put("target", 1L);
        f.relay.relayPass(pkt);
        Worker w = f.use(new Worker(f.relay, aws));
        Faults.Injection deleteFails = f.faults.on("DeleteQueue")
                .fail(SqsException.builder().message("injected 500").statusCode(500).build());
        f.deliver(pkt);
        deleteFails.stop();
        assertEquals(1, w.completed.size());
        assertTrue(f.mappings().isEmpty(), "the mapping went first");
        assertEquals(1, f.held(pkt.queueUrl()), "the queue stays with its last packet, which nothing delivers again");
        assertTrue(aws.sqsClient().listQueueTags(r -> r.queueUrl(pkt.queueUrl())).tags()
                .containsKey(RelayTeardown.TAG_ENDING));
        RelayJanitor janitor = RelayJanitor.builder().sqsClient(aws.sqsClient()).lambdaClient(aws.lambdaClient())
                .clock(f.clock).build();

        assertEquals(List.of(), janitor.sweep().removedRelays(), "a tear-down may still be running");
        f.advance(RelayJanitor.ENDING_GRACE.plusMinutes(1));
        JanitorReport report = janitor.sweep();

        assertEquals(List.of(pkt.relayId()), report.removedRelays());
        assertFalse(f.exists(pkt.queueUrl()));
        assertFalse(f.exists(dlq(pkt)));
    }

    @Test
    void s12_redrive_whileShortPollsComeBackEmpty_movesEveryPacket() {
        RelayPacket pkt = f.setup(f.relay, RelaySetup.builder().maxReceiveCount(1).toleratedFailures(3)
                .build()).put("target", 1L);
        f.relay.fanOut(pkt, 4, (i, p) -> { });
        List<Message> parts = f.take(pkt.queueUrl());
        Worker w = new Worker(f.relay, aws);
        for (int part = 0; part < 3; part++) {
            f.failUnitsOf(part);
            w.handleRequest(f.event(pkt.queueUrl(), FaultFixture.part(parts, part), 1), f.context());
        }
        assertEquals(3, f.held(dlq(pkt)));
        f.faults.emptyShortPolls(true);

        assertEquals(3, f.relay.redrive(pkt));

        assertEquals(0, f.held(dlq(pkt)));
        assertEquals(3, f.held(pkt.queueUrl()));
        assertEquals(List.of(), f.injected(InjectedFault.Kind.SHORT_POLL_EMPTY), "it only long-polls");
    }

    @Test
    void s13_aStartWhoseFirstPassFails_leavesNoQueueOrMapping() {
        assertThrows(PacketTooLargeException.class, () -> f.relay.start(null, WORKER, f.options(RelaySetup.defaults()),
                p -> p.put("blob", "x".repeat(70_000))));
        assertTrue(f.nothingLeftButThePool());

        Faults.Injection sqsDown = f.faults.on("SendMessage")
                .fail(SqsException.builder().message("injected 503").statusCode(503).build());
        assertThrows(RelayPassException.class, () -> f.relay.start(null, WORKER, f.options(RelaySetup.defaults()),
                p -> p.put("job", 1L)));
        sqsDown.stop();
        assertTrue(f.nothingLeftButThePool());

        RelayPacket started = f.relay.start(null, WORKER, f.options(RelaySetup.defaults()), p -> p.put("job", 2L));
        assertEquals(1, started.hop());
        assertEquals(1, f.held(started.queueUrl()));
    }

    @Test
    void s13_aFanOutStartWithPartsThatCannotBePassed_isRolledBack() {
        f.faults.refuseEntries("\"part\":7");

        Relay relay = f.pooled ? f.relay : f.plain; // a pooled fan-out needs the ledger
        assertThrows(PartialPassException.class, () -> relay.startFanOut(null, WORKER, f.options(RelaySetup.defaults()),
                10, (i, p) -> { }));

        assertTrue(f.nothingLeftButThePool());
    }
}
