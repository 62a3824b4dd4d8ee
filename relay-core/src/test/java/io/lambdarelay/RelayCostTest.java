package io.lambdarelay;

import static io.lambdarelay.FaultFixture.WORKER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.amazonaws.services.lambda.runtime.events.SQSEvent.SQSMessage;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lambdarelay.local.Delivery;
import io.lambdarelay.local.LocalContext;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * What a relay costs, counted as it runs: per hop on LocalAws with manual delivery and virtual
 * time, 64 KiB chunks of a send, the invocation charged to its first record, a fan-out's exact sum
 * in the ledger, the packet's wire keys, and the dollar estimate.
 */
class RelayCostTest extends FaultModelBase {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MEMORY_MB = LocalContext.DEFAULT_MEMORY_MB;

    @Test
    void estimatedUsd_atListPrices_sumsRequestsDurationSqsWritesAndReads() {
        RelayCost c = new RelayCost(10, 4, 3 * 1024 * 1000, 20, 8, 16);

        assertEquals(3.0, c.lambdaGbSeconds(), 1e-12);
        double expected = 4 * 0.20e-6 + 3 * 0.0000166667 + 20 * 0.40e-6 + 8 * 0.625e-6 + 16 * 0.125e-6;
        assertEquals(expected, c.estimatedUsd(RelayCost.Prices.US_EAST_1), 1e-15);
        assertEquals(4 + 3 * 10 + 20 * 100 + 8 * 1000 + 16 * 10_000,
                c.estimatedUsd(new RelayCost.Prices(1, 10, 100, 1000, 10_000)), 1e-9, "each count at its own price");
        assertEquals(new RelayCost(11, 6, 3 * 1024 * 1000 + 5, 23, 12, 21), c.plus(new RelayCost(1, 2, 5, 3, 4, 5)));
        assertEquals(new RelayCost(9, 2, 3 * 1024 * 1000 - 5, 17, 4, 11), c.minus(new RelayCost(1, 2, 5, 3, 4, 5)));
        assertThrows(IllegalArgumentException.class, () -> new RelayCost(0, -1, 0, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new RelayCost(0, 0, 0, 0, 0, -1));
        assertThrows(IllegalArgumentException.class, () -> new RelayCost.Prices(0, Double.NaN, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new RelayCost.Prices(0, 0, 0, 0, -1));
    }

    @Test
    void wire_costTravelsInStats_andAbsentKeysMeanZero() throws Exception {
        RelayPacket pkt = f.plain.setup(null, WORKER).put("k", 1);
        pkt.addCost(new RelayCost(2, 1, 5_120, 3, 4, 6));

        ObjectNode json = (ObjectNode) JSON.readTree(pkt.toJson());
        ObjectNode stats = (ObjectNode) json.get("stats");
        assertEquals(2, stats.get("costHops").asLong());
        assertEquals(5_120, stats.get("costMbMs").asLong());
        assertEquals(6, stats.get("costReads").asLong());
        assertEquals(new RelayCost(2, 1, 5_120, 3, 4, 6), RelayPacket.fromJson(pkt.toJson()).cost());

        String node = "{\"QueueUrl\":\"https://sqs/q\",\"UUID\":\"u-1\",\"stats\":{\"sqsCount\":3,\"nodeKey\":7},\"k\":1}";
        RelayPacket fromNode = RelayPacket.fromJson(node);
        assertEquals(RelayCost.ZERO, fromNode.cost());
        String written = fromNode.toJson();
        assertTrue(!written.contains("cost"), "a packet that spent nothing carries no cost keys: " + written);
        assertTrue(written.contains("\"nodeKey\":7"), "unknown stats keys kept: " + written);
    }

    @Test
    void chain_countsEachHop_andOnCompleteSeesTheWholeChain() {
        Relay relay = f.relay;
        RelayPacket pkt = relay.setup(null, WORKER).put("target", 25);
        relay.relayPass(pkt);
        FaultFixture.Worker w = f.use(new FaultFixture.Worker(relay, aws));

        List<Delivery> deliveries = f.deliverAll(pkt, 20);

        assertEquals(1, w.completed.size(), "completed");
        RelayPacket last = w.completed.get(0);
        long hops = deliveries.size();
        assertTrue(hops >= 3, "a chain of several hops: " + hops);
        RelayCost c = last.cost();
        assertEquals(hops, c.hops(), "one per record");
        assertEquals(last.hop(), c.hops(), "one per hand-off");
        assertEquals(hops, c.lambdaRequests(), "one invocation per hop");
        // The start's send, each hand-off's send, and each batch's receive and delete.
        assertEquals(1 + (hops - 1) + 2 * hops, c.sqsRequests());
        // A claim and the progress per hop; the completion's claim and end.
        assertEquals(2 * hops + 2, c.ledgerWrites());
        long unitMillis = 25 * w.unitMs;
        assertTrue(c.lambdaMbMillis() >= MEMORY_MB * unitMillis, "at least the units' time: " + c);
        assertTrue(c.lambdaMbMillis() < MEMORY_MB * (unitMillis + hops * 1_000), "not much more: " + c);
        assertEquals(Optional.of(c), relay.cost(last), "a chain's cost is its packet's");
        assertEquals(Optional.of(c), f.ledger.cost(pkt.relayId()), "the ended chain's cost is in the ledger");
    }

    @Test
    void send_isChargedOneRequestPerStarted64KiB() throws Exception {
        Relay relay = f.relay(null);
        Relay big = Relay.builder().sqsClient(aws.sqsClient()).lambdaClient(aws.lambdaClient()).clock(f.clock)
                .maxPacketBytes(200_000).build();
        RelayPacket pkt = relay.setup(null, WORKER);

        big.relayPass(pkt.put("blob", "x".repeat(70_000)));
        assertEquals(2, pkt.cost().sqsRequests(), "70 KB: two 64 KiB chunks");
        big.relayPass(pkt.put("blob", "x".repeat(140_000)));
        assertEquals(2 + 3, pkt.cost().sqsRequests(), "140 KB: three more");
        relay.relayPass(pkt.put("blob", "small"));
        assertEquals(2 + 3 + 1, pkt.cost().sqsRequests());

        List<Message> sent = f.take(pkt.queueUrl());
        assertEquals(3, sent.size());
        assertEquals(List.of(2L, 5L, 6L), sent.stream().map(m -> RelayPacket.fromJson(m.body(), 200_000).cost()
                .sqsRequests()).sorted().toList(), "each body carries the cost including its own send");
    }

    @Test
    void batchedSend_chargesEachCallOnce_toItsFirstPacket() {
        Relay relay = f.relay;
        RelayPacket pkt = relay.setup(null, WORKER);

        List<RelayPacket> parts = pkt.split(12);
        relay.relayPassAll(parts);

        // Twelve small packets: two SendMessageBatch calls of 10 and 2, each one 64 KiB chunk.
        assertEquals(List.of(1L, 0L, 0L, 0L, 0L, 0L, 0L, 0L, 0L, 0L, 1L, 0L),
                parts.stream().map(p -> p.cost().sqsRequests()).toList());
    }

    @Test
    void batch_invocationAndReceiveAreChargedToTheFirstRecordOnly() {
        Relay relay = f.plain;
        FaultFixture.Worker w = f.use(new FaultFixture.Worker(relay, aws));
        List<RelayPacket> chains = new ArrayList<>();
        List<SQSMessage> records = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            RelayPacket p = relay.setup(null, WORKER).put("target", 1_000);
            relay.relayPass(p);
            chains.add(p);
            Message m = f.take(p.queueUrl()).get(0);
            records.addAll(f.event(p.queueUrl(), m, 1).getRecords());
        }
        SQSEvent event = new SQSEvent();
        event.setRecords(records);
        Context context = f.context();

        w.handleRequest(event, context);

        List<RelayCost> costs = new ArrayList<>();
        for (RelayPacket p : chains) {
            List<Message> passed = f.take(p.queueUrl());
            assertEquals(1, passed.size(), "each record passed on");
            costs.add(RelayPacket.fromJson(passed.get(0).body()).cost());
        }
        assertEquals(List.of(1L, 1L, 1L), costs.stream().map(RelayCost::hops).toList());
        assertEquals(List.of(1L, 0L, 0L), costs.stream().map(RelayCost::lambdaRequests).toList());
        // The start's send and the hand-off each; the batch's receive and delete on the first.
        assertEquals(List.of(4L, 2L, 2L), costs.stream().map(RelayCost::sqsRequests).toList());
        long used = FaultFixture.TIMEOUT.toMillis() - context.getRemainingTimeInMillis();
        long charged = costs.stream().mapToLong(RelayCost::lambdaMbMillis).sum();
        assertTrue(charged <= MEMORY_MB * used && charged >= MEMORY_MB * (used - 1_000),
                "the records' shares add up to the invocation's time: " + charged + " of " + MEMORY_MB * used);
        assertTrue(costs.get(0).lambdaMbMillis() >= MEMORY_MB * w.unitMs, "the first record ran units");
    }

    @Test
    void fanOut_ledgerHoldsTheExactSumOfItsParts() {
        Relay relay = f.relay;
        RelayPacket pkt = relay.setup(null, WORKER);
        relay.fanOut(pkt, 3, (i, p) -> p.put("target", 8 + 7 * i));
        FaultFixture.Worker w = f.use(new FaultFixture.Worker(relay, aws) {
            @Override
            protected void onComplete(RelayPacket p, Context context) {
                super.onComplete(p, context);
                assertEquals(relay().cost(p), f.ledger.cost(p.relayId()), "the hook sees the ledger's total");
            }
        });

        List<Delivery> deliveries = f.deliverAll(pkt, 40);

        assertEquals(1, w.completed.size(), "completed once");
        long invocations = deliveries.size();
        RelayCost total = f.ledger.cost(pkt.relayId()).orElseThrow();
        assertEquals(invocations, total.hops(), "every record of every part");
        assertEquals(invocations, total.lambdaRequests());
        // One batched send of the three parts, a send per hand-off, a receive and delete per invocation.
        assertEquals(1 + (invocations - 3) + 2 * invocations, total.sqsRequests());
        // A claim and the progress per hop; per part its finish (two writes). The completion's claim
        // and end come after the last part's finish: the packet counts them, the ledger's total not yet.
        assertEquals(2 * invocations + 3 * 2, total.ledgerWrites());
        long units = 8 + 15 + 22;
        assertTrue(total.lambdaMbMillis() >= MEMORY_MB * units * w.unitMs, total.toString());
        assertEquals(Optional.of(total), relay.cost(w.completed.get(0)));
    }

    @Test
    void status_ofARunningChain_showsItsHopsUnitsCostAndLastHop_asItsQueuedPacketCarriesThem() {
        Relay relay = f.relay;
        RelayPacket pkt = relay.setup(null, WORKER).put("target", 1_000);
        relay.relayPass(pkt);
        FaultFixture.Worker w = f.use(new FaultFixture.Worker(relay, aws));
        w.unitMs = 2_500;
        RelayControl control = RelayControl.builder().sqsClient(aws.sqsClient()).lambdaClient(aws.lambdaClient())
                .ledger(f.ledger).build();

        RelayStatus before = control.status(pkt.relayId());
        assertEquals(OptionalLong.of(0), before.hops());
        assertEquals(Optional.empty(), before.lastHop(), "no hop yet");

        f.deliver(pkt);
        Instant secondStarts = f.clock.instant();
        f.deliver(pkt);
        Instant secondEnded = f.clock.instant();
        f.advance(Duration.ofMinutes(3));
        RelayStatus running = control.status(pkt.relayId());

        RelayPacket queued = RelayPacket.fromJson(f.peek(pkt.queueUrl()).get(0).body());
        assertEquals(OptionalLong.of(2), running.hops(), "two hops handed off");
        assertEquals(OptionalLong.of(queued.getLong("n", -1)), running.units(), "every unit done so far");
        assertEquals(Optional.of(queued.cost()), running.cost(),
                "what the relay spent so far, up to and with the queued packet's send");
        Instant lastHop = running.lastHop().orElseThrow();
        assertTrue(lastHop.isAfter(secondStarts.plusMillis(w.unitMs)) && !lastHop.isAfter(secondEnded),
                "when the second hop handed off, after its units: " + lastHop + " in " + secondStarts + " .. "
                        + secondEnded);
        assertTrue(running.cost().orElseThrow().lambdaMbMillis() >= MEMORY_MB * running.units().getAsLong() * w.unitMs,
                "the hops' time is in: " + running.cost());
    }

    @Test
    void ledger_runningTotal_equalsThePacketsOwn_atTheEnd_withoutCountingAHopTwice() {
        Relay relay = f.relay;
        RelayPacket pkt = relay.setup(null, WORKER).put("target", 30);
        relay.relayPass(pkt);
        FaultFixture.Worker w = f.use(new FaultFixture.Worker(relay, aws));
        List<RelayCost> seen = new ArrayList<>();
        List<Delivery> deliveries = new ArrayList<>();

        while (w.completed.isEmpty() && deliveries.size() < 30) {
            deliveries.add(f.deliver(pkt));
            seen.add(f.ledger.cost(pkt.relayId()).orElseThrow());
        }

        assertEquals(1, w.completed.size());
        for (int i = 1; i < seen.size(); i++) {
            assertEquals(i + 1, seen.get(i).hops(), "one hop more per delivery: " + seen);
        }
        assertEquals(Optional.of(w.completed.get(0).cost()), f.ledger.cost(pkt.relayId()),
                "the ledger's running total ends where the packet's own count ends");
        assertEquals(new io.lambdarelay.ledger.PartTally(0, 0, 30), f.ledger.tally(pkt.relayId()));
    }

    @Test
    void status_ofARunningFanOut_countsItsRunningPartsToo() {
        Relay relay = f.relay;
        RelayPacket pkt = relay.setup(null, WORKER);
        relay.fanOut(pkt, 2, (i, p) -> p.put("target", i == 0 ? 1 : 1_000));
        f.use(new FaultFixture.Worker(relay, aws));
        List<Delivery> deliveries = List.of(f.deliver(pkt), f.deliver(pkt));
        long records = deliveries.stream().mapToLong(d -> d.messageIds().size()).sum();
        RelayControl withLedger = RelayControl.builder().sqsClient(aws.sqsClient()).lambdaClient(aws.lambdaClient())
                .ledger(f.ledger).build();
        RelayControl without = RelayControl.builder().sqsClient(aws.sqsClient()).lambdaClient(aws.lambdaClient())
                .build();

        RelayStatus status = withLedger.status(pkt.relayId());

        RelayCost soFar = status.cost().orElseThrow();
        assertEquals(records, soFar.hops(), "part 0's one hop and part 1's hops so far");
        assertEquals(OptionalLong.of(1), status.partsDone());
        RelayPacket part1 = RelayPacket.fromJson(f.peek(pkt.queueUrl()).get(0).body());
        assertEquals(1, part1.part());
        assertTrue(soFar.hops() > part1.cost().hops(), "more than the running part's own: " + soFar);
        assertEquals(Optional.empty(), without.status(pkt.relayId()).cost(), "no ledger, no cost");
        assertEquals(Optional.empty(), without.status(pkt.relayId()).lastHop(), "no ledger, no last hop");
        assertEquals(OptionalLong.empty(), without.status(pkt.relayId()).hops());
    }

    @Test
    void aLedgerWithoutProgressOfItsOwn_getsTheUnitsAndCostThroughAddUnitsAndAddCost() {
        List<String> calls = new ArrayList<>();
        io.lambdarelay.ledger.InMemoryRelayLedger store = f.ledger;
        io.lambdarelay.ledger.RelayLedger older = new io.lambdarelay.ledger.RelayLedger() {
            @Override
            public Claim claimHop(String relayId, int part, long hop, String messageId) {
                return store.claimHop(relayId, part, hop, messageId);
            }

            @Override
            public io.lambdarelay.ledger.PartTally finishPart(String relayId, int part, boolean failed) {
                return store.finishPart(relayId, part, failed);
            }

            @Override
            public void addUnits(String relayId, long units) {
                calls.add("addUnits " + units);
                store.addUnits(relayId, units);
            }

            @Override
            public void addCost(String relayId, RelayCost cost) {
                calls.add("addCost " + cost.hops());
                store.addCost(relayId, cost);
            }

            @Override
            public io.lambdarelay.ledger.PartTally tally(String relayId) {
                return store.tally(relayId);
            }

            @Override
            public io.lambdarelay.ledger.PartTally reopenPart(String relayId, int part) {
                return store.reopenPart(relayId, part);
            }

            @Override
            public Completion beginCompletion(String relayId, String messageId, Duration lease) {
                return store.beginCompletion(relayId, messageId, lease);
            }

            @Override
            public void endCompletion(String relayId) {
                store.endCompletion(relayId);
            }
        };

        older.addProgress("r-1", 4, new RelayCost(1, 1, 10, 2, 1, 0), Instant.EPOCH);
        older.addProgress("r-1", 0, RelayCost.ZERO, Instant.EPOCH);

        assertEquals(List.of("addUnits 4", "addCost 1"), calls, "the default: nothing to add, nothing written");
        assertEquals(4, store.tally("r-1").units());
        assertEquals(Optional.of(new RelayCost(1, 1, 10, 2, 1, 0)), store.cost("r-1"));
        assertEquals(Optional.empty(), older.lastProgress("r-1"), "a ledger that keeps no time");
    }
}
