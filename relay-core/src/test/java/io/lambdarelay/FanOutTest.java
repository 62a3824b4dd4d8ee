package io.lambdarelay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lambdarelay.ledger.InMemoryRelayLedger;
import io.lambdarelay.local.faults.Faults;
import io.lambdarelay.local.testing.RecordingLambda;
import io.lambdarelay.local.testing.SqsServer;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.model.Message;

/** relayPassAll, split, fanOut, redrive and progress against embedded ElasticMQ. */
class FanOutTest extends OnEmbeddedSqs {
    private RecordingLambda lambda;
    private Relay relay;

    @BeforeEach
    void setUp() {
        lambda = new RecordingLambda(SqsServer.REGION).function("worker", 10);
        relay = Relay.builder().sqsClient(sqs.client()).lambdaClient(lambda).build();
    }

    @AfterEach
    void clean() {
        sqs.deleteAllQueues();
    }

    private List<RelayPacket> drain(String queueUrl) {
        List<RelayPacket> out = new java.util.ArrayList<>();
        while (true) {
            List<Message> msgs = sqs.client().receiveMessage(r -> r.queueUrl(queueUrl).maxNumberOfMessages(10)
                    .visibilityTimeout(300)).messages();
            if (msgs.isEmpty()) {
                return out;
            }
            msgs.forEach(m -> out.add(RelayPacket.fromJson(m.body(), 1_048_576)));
        }
    }

    private static Set<Integer> parts(List<RelayPacket> packets) {
        Set<Integer> s = new HashSet<>();
        packets.forEach(p -> s.add(p.part()));
        return s;
    }

    @Test
    void split_labelsPartsAndCopiesUserKeys() {
        RelayPacket pkt = relay.setup(null, "worker").put("job", "j1");
        List<RelayPacket> parts = pkt.split(3);
        assertEquals(3, parts.size());
        for (int i = 0; i < 3; i++) {
            assertEquals(i, parts.get(i).part());
            assertEquals(3, parts.get(i).partCount());
            assertEquals("j1", parts.get(i).getString("job"));
        }
        assertThrows(IllegalStateException.class, () -> parts.get(0).split(2));
        assertThrows(IllegalArgumentException.class, () -> pkt.split(0));
    }

    @Test
    void relayPassAll_2000Parts_costAtMost200BatchCalls_andArriveOnceEach() {
        RelayPacket pkt = relay.setup(null, "worker");
        List<RelayPacket> parts = pkt.split(2_000);
        sqs.resetCalls();
        List<String> ids = relay.relayPassAll(parts);
        assertEquals(200, sqs.calls("SendMessageBatch"));
        assertEquals(200, sqs.totalCalls());
        assertEquals(2_000, new HashSet<>(ids).size());
        List<RelayPacket> received = drain(pkt.queueUrl());
        assertEquals(2_000, received.size());
        assertEquals(2_000, parts(received).size());
        assertTrue(received.stream().allMatch(p -> p.hop() == 1 && p.sqsCount() == 1));
    }

    @Test
    void relayPassAll_largePacketsAreGroupedUnderOneMebibytePerCall() {
        Relay big = Relay.builder().sqsClient(sqs.client()).lambdaClient(lambda).maxPacketBytes(400_000).build();
        RelayPacket pkt = big.setup(null, "worker").put("pad", "x".repeat(300_000));
        sqs.resetCalls();
        big.relayPassAll(pkt.split(6));
        assertEquals(2, sqs.calls("SendMessageBatch"), "three ~300 KB packets fit one 1 MiB call");
        assertEquals(6, drain(pkt.queueUrl()).size());
    }

    @Test
    void relayPassAll_entriesThatFailOnce_areRetriedAfterABackOff_nothingLostNothingTwice() {
        Faults faults = Faults.create(java.time.Clock.systemUTC());
        List<Long> pauses = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        Relay r = Relay.builder().sqsClient(faults.sqs(sqs.client())).lambdaClient(lambda).pause(pauses::add).build();
        RelayPacket pkt = relay.setup(null, "worker");
        List<RelayPacket> parts = pkt.split(25);
        for (int i = 0; i < 25; i++) {
            parts.get(i).put("tag", "t" + i + "-");
        }
        faults.failEntryOnce("\"t3-\"");
        faults.failEntryOnce("\"t17-\"");
        List<String> ids = r.relayPassAll(parts);
        assertEquals(25, ids.size());
        assertTrue(ids.stream().allMatch(id -> id != null));
        assertEquals(5, faults.calls("SendMessageBatch"), "three batches plus one retry each for two of them");
        assertEquals(2, pauses.size(), "one back-off before each retry");
        assertTrue(pauses.stream().allMatch(ms -> ms >= 25 && ms <= 50), pauses.toString());
        List<RelayPacket> received = drain(pkt.queueUrl());
        assertEquals(25, received.size());
        assertEquals(25, parts(received).size());
    }

    @Test
    void relayPassAll_throttledCalls_areTriedAgainWithGrowingBackOffs() {
        Faults faults = Faults.create(java.time.Clock.systemUTC());
        List<Long> pauses = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        Relay r = Relay.builder().sqsClient(faults.sqs(sqs.client())).lambdaClient(lambda).pause(pauses::add).build();
        RelayPacket pkt = relay.setup(null, "worker");
        faults.on("SendMessageBatch").times(3).throttle();

        List<String> ids = r.relayPassAll(pkt.split(10));

        assertEquals(10, ids.size());
        assertEquals(4, faults.calls("SendMessageBatch"), "three throttled, the fourth went through");
        assertEquals(3, pauses.size());
        assertTrue(pauses.get(0) >= 25 && pauses.get(0) <= 50 && pauses.get(2) >= 100 && pauses.get(2) <= 200,
                pauses.toString());
        assertEquals(10, drain(pkt.queueUrl()).size());
    }

    @Test
    void relayPassAll_throttledBeyondItsTries_reportsTheBatchUnsent() {
        Faults faults = Faults.create(java.time.Clock.systemUTC());
        Relay r = Relay.builder().sqsClient(faults.sqs(sqs.client())).lambdaClient(lambda).pause(ms -> { }).build();
        RelayPacket pkt = relay.setup(null, "worker");
        faults.on("SendMessageBatch").times(BatchPass.ATTEMPTS).throttle();

        PartialPassException e = assertThrows(PartialPassException.class, () -> r.relayPassAll(pkt.split(10)));

        assertEquals(0, e.sent());
        assertEquals(10, e.unsent().size());
        assertTrue(e.getMessage().contains("RequestThrottled") || e.getCause() != null, e.getMessage());
    }

    @Test
    void relayPassAll_manyBatchesInFlight_passEachPacketOnce_andEachIdIsItsPackets() {
        RelayPacket pkt = relay.setup(null, "worker");
        List<RelayPacket> parts = pkt.split(2_500);

        List<String> ids = relay.relayPassAll(parts);

        assertEquals(2_500, ids.size());
        assertEquals(2_500, new HashSet<>(ids).size());
        java.util.Map<String, Integer> partById = new java.util.HashMap<>();
        while (true) {
            List<Message> msgs = sqs.client().receiveMessage(r -> r.queueUrl(pkt.queueUrl()).maxNumberOfMessages(10)
                    .visibilityTimeout(300)).messages();
            if (msgs.isEmpty()) {
                break;
            }
            msgs.forEach(m -> partById.put(m.messageId(), RelayPacket.fromJson(m.body()).part()));
        }
        assertEquals(2_500, partById.size(), "each packet arrived once");
        for (int i = 0; i < 2_500; i++) {
            assertEquals(i, partById.get(ids.get(i)), "ids.get(" + i + ") is part " + i + "'s message");
            assertEquals(1, parts.get(i).hop(), "a sent packet carries its new header");
        }
    }

    @Test
    void fanOut_overTheLimitOfParts_isRefusedBeforeAnythingIsSent() {
        Faults faults = Faults.create(java.time.Clock.systemUTC());
        Relay r = Relay.builder().sqsClient(faults.sqs(sqs.client())).lambdaClient(lambda).build();
        RelayPacket pkt = relay.setup(null, "worker");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> r.fanOut(pkt, 100_001, (i, p) -> { }));
        assertTrue(e.getMessage().contains("parts must be 1 to 100000, got 100001"), e.getMessage());
        assertEquals(0, faults.calls("SendMessageBatch") + faults.calls("SendMessage"), "no part, no watchdog");
        assertEquals(0, drain(pkt.queueUrl()).size());
    }

    @Test
    void relayPassAll_refusedEntries_areReportedUnsentWithCountersRestored() {
        Faults faults = Faults.create(java.time.Clock.systemUTC());
        Relay r = Relay.builder().sqsClient(faults.sqs(sqs.client())).lambdaClient(lambda).build();
        RelayPacket pkt = relay.setup(null, "worker");
        List<RelayPacket> parts = pkt.split(12);
        parts.get(4).put("bad", "refuse-me");
        faults.refuseEntries("refuse-me");
        PartialPassException e = assertThrows(PartialPassException.class, () -> r.relayPassAll(parts));
        assertEquals(11, e.sent());
        assertEquals(1, e.unsent().size());
        assertEquals(4, e.unsent().get(0).part());
        assertEquals(0, e.unsent().get(0).hop(), "the unsent packet's counters are as before");
        assertEquals(11, drain(pkt.queueUrl()).size());
    }

    @Test
    void relayPassAll_callFailsMidway_reportsExactlyTheUnsentPackets() {
        Faults faults = Faults.create(java.time.Clock.systemUTC());
        Relay r = Relay.builder().sqsClient(faults.sqs(sqs.client())).lambdaClient(lambda).build();
        RelayPacket pkt = relay.setup(null, "worker");
        List<RelayPacket> parts = pkt.split(30);
        faults.on("SendMessageBatch").after(1).times(1).fail(software.amazon.awssdk.services.sqs.model.SqsException
                .builder().message("injected 500").statusCode(500).build()); // the second call fails whole
        PartialPassException e = assertThrows(PartialPassException.class, () -> r.relayPassAll(parts));
        // The three calls run side by side: the failed one's ten packets are unsent, and any the
        // failure stopped before they started.
        assertEquals(30, e.sent() + e.unsent().size());
        assertTrue(e.unsent().size() >= 10 && e.unsent().size() % 10 == 0, e.unsent().size() + " unsent");
        assertTrue(e.unsent().stream().allMatch(p -> p.hop() == 0), "unsent packets keep their counters");
        List<RelayPacket> first = drain(pkt.queueUrl());
        assertEquals(e.sent(), first.size());
        // passing exactly the unsent ones again completes the fan-out with no duplicate
        r.relayPassAll(e.unsent());
        List<RelayPacket> second = drain(pkt.queueUrl());
        assertEquals(e.unsent().size(), second.size());
        Set<Integer> all = parts(first);
        all.addAll(parts(second));
        assertEquals(30, all.size());
    }

    @Test
    void relayPassAll_oversizedPacket_failsBeforeAnyCall() {
        RelayPacket pkt = relay.setup(null, "worker");
        List<RelayPacket> parts = pkt.split(3);
        parts.get(2).put("pad", "x".repeat(70_000));
        sqs.resetCalls();
        assertThrows(PacketTooLargeException.class, () -> relay.relayPassAll(parts));
        assertEquals(0, sqs.totalCalls());
        assertTrue(parts.stream().allMatch(p -> p.hop() == 0));
    }

    @Test
    void relayPassAll_packetsOfTwoQueues_areRefused() {
        RelayPacket a = relay.setup(null, "worker");
        RelayPacket b = relay.setup(null, "worker");
        assertThrows(IllegalArgumentException.class, () -> relay.relayPassAll(List.of(a, b)));
    }

    @Test
    void fanOut_withoutLedger_startsADelayedWatchdog() {
        RelayPacket pkt = relay.setup(null, "worker");
        List<String> ids = relay.fanOut(pkt, 4, (i, p) -> p.put("slice", i));
        assertEquals(4, ids.size());
        assertEquals(5, sqs.messagesHeld(pkt.queueUrl()), "4 parts + 1 delayed watchdog");
        List<RelayPacket> visible = drain(pkt.queueUrl());
        assertEquals(4, visible.size(), "the watchdog is delayed 60 s");
        for (RelayPacket p : visible) {
            assertEquals(p.part(), p.getInt("slice", -1));
        }
    }

    @Test
    void fanOut_withLedger_needsNoWatchdog() {
        Relay withLedger = Relay.builder().sqsClient(sqs.client()).lambdaClient(lambda)
                .ledger(new InMemoryRelayLedger()).build();
        RelayPacket pkt = withLedger.setup(null, "worker");
        withLedger.fanOut(pkt, 4, (i, p) -> { });
        assertEquals(4, sqs.messagesHeld(pkt.queueUrl()));
    }

    @Test
    void redrive_movesDeadLetteredPacketsBack() {
        RelayPacket pkt = relay.setup(null, "worker");
        String dlq = pkt.deadLetterQueueUrl().orElseThrow();
        for (int i = 0; i < 13; i++) {
            String body = pkt.copy().put("i", i).toJson();
            sqs.client().sendMessage(r -> r.queueUrl(dlq).messageBody(body));
        }
        assertEquals(13, relay.redrive(pkt));
        assertEquals(0, sqs.messagesHeld(dlq));
        assertEquals(13, drain(pkt.queueUrl()).size());
    }

    @Test
    void progress_readsLedgerTallyAndQueueCounts() {
        InMemoryRelayLedger ledger = new InMemoryRelayLedger();
        Relay withLedger = Relay.builder().sqsClient(sqs.client()).lambdaClient(lambda).ledger(ledger).build();
        RelayPacket pkt = withLedger.setup(null, "worker");
        withLedger.fanOut(pkt, 3, (i, p) -> { });
        ledger.finishPart(pkt.relayId(), 0, false);
        ledger.addUnits(pkt.relayId(), 42);
        RelayProgress progress = withLedger.progress(pkt.split(3).get(0));
        assertEquals(3, progress.parts());
        assertEquals(OptionalLong.of(1), progress.done());
        assertEquals(OptionalLong.of(42), progress.units());
        assertEquals(OptionalLong.of(3), progress.queued());
        assertEquals(OptionalLong.of(0), progress.deadLettered());
        assertEquals(OptionalLong.empty(), relay.progress(pkt).done(), "without a ledger the part counts are unknown");
    }
}
