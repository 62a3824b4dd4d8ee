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
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
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
    void estimatedUsd_atListPrices_sumsRequestsDurationSqsAndWrites() {
        RelayCost c = new RelayCost(10, 4, 3 * 1024 * 1000, 20, 8);

        assertEquals(3.0, c.lambdaGbSeconds(), 1e-12);
        double expected = 4 * 0.20e-6 + 3 * 0.0000166667 + 20 * 0.40e-6 + 8 * 0.625e-6;
        assertEquals(expected, c.estimatedUsd(RelayCost.Prices.US_EAST_1), 1e-15);
        assertEquals(4 + 3 * 10 + 20 * 100 + 8 * 1000,
                c.estimatedUsd(new RelayCost.Prices(1, 10, 100, 1000)), 1e-9, "each count at its own price");
        assertEquals(new RelayCost(11, 6, 3 * 1024 * 1000 + 5, 23, 12), c.plus(new RelayCost(1, 2, 5, 3, 4)));
        assertThrows(IllegalArgumentException.class, () -> new RelayCost(0, -1, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new RelayCost.Prices(0, Double.NaN, 0, 0));
    }

    @Test
    void wire_costTravelsInStats_andAbsentKeysMeanZero() throws Exception {
        RelayPacket pkt = f.plain.setup(null, WORKER).put("k", 1);
        pkt.addCost(new RelayCost(2, 1, 5_120, 3, 4));

        ObjectNode json = (ObjectNode) JSON.readTree(pkt.toJson());
        ObjectNode stats = (ObjectNode) json.get("stats");
        assertEquals(2, stats.get("costHops").asLong());
        assertEquals(5_120, stats.get("costMbMs").asLong());
        assertEquals(new RelayCost(2, 1, 5_120, 3, 4), RelayPacket.fromJson(pkt.toJson()).cost());

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
        // A claim and the units per hop; the completion's claim and end, and the write of the cost.
        assertEquals(2 * hops + 3, c.ledgerWrites());
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
        // A claim and the units per hop; per part its finish (two writes) and its cost.
        assertEquals(2 * invocations + 3 * 3, total.ledgerWrites());
        long units = 8 + 15 + 22;
        assertTrue(total.lambdaMbMillis() >= MEMORY_MB * units * w.unitMs, total.toString());
        assertEquals(Optional.of(total), relay.cost(w.completed.get(0)));
    }

    @Test
    void status_showsTheFinishedPartsCost_fromTheLedger() {
        Relay relay = f.relay;
        RelayPacket pkt = relay.setup(null, WORKER);
        relay.fanOut(pkt, 2, (i, p) -> p.put("target", i == 0 ? 1 : 1_000));
        f.use(new FaultFixture.Worker(relay, aws));
        f.deliver(pkt);
        f.deliver(pkt);
        RelayControl withLedger = RelayControl.builder().sqsClient(aws.sqsClient()).lambdaClient(aws.lambdaClient())
                .ledger(f.ledger).build();
        RelayControl without = RelayControl.builder().sqsClient(aws.sqsClient()).lambdaClient(aws.lambdaClient())
                .build();

        RelayStatus status = withLedger.status(pkt.relayId());

        RelayCost finished = status.cost().orElseThrow();
        assertEquals(1, finished.hops(), "part 0 finished after one hop; part 1 runs on, its cost in its packet");
        assertEquals(1, finished.lambdaRequests());
        assertEquals(f.ledger.cost(pkt.relayId()), status.cost());
        assertEquals(Optional.empty(), without.status(pkt.relayId()).cost(), "no ledger, no cost");
    }
}
