package io.lambdarelay;

import static io.lambdarelay.Clients.describe;

import io.lambdarelay.internal.PacketCodec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.QueueDoesNotExistException;

/**
 * Everything a relay sends to SQS: a pass, many passes in batches, a packet to the dead-letter
 * queue. A pass has one stamping path: it builds the next
 * header as a new value, sends the packet with it, and only then gives the packet that header; a
 * send that fails leaves the packet as it was, with nothing to restore. Thread-safe.
 */
final class Sender {
    private static final Logger LOG = LoggerFactory.getLogger(Sender.class);
    /** Entries per SendMessageBatch call, SQS's limit. */
    static final int BATCH_ENTRIES = 10;
    /** Payload per SendMessageBatch call, SQS's limit. */
    static final long BATCH_BYTES = PacketCodec.MAX_SQS_MESSAGE_BYTES;

    private final Clients clients;
    private final QueueFacts facts;
    private final Clock clock;
    private final int maxPacketBytes;
    private final HandOffCost handOffCost = new HandOffCost();
    private final BackOff backOff;
    private final FanIn fanIn;

    Sender(Clients clients, QueueFacts facts, Clock clock, int maxPacketBytes, BackOff backOff, FanIn fanIn) {
        this.clients = clients;
        this.facts = facts;
        this.clock = clock;
        this.maxPacketBytes = maxPacketBytes;
        this.backOff = backOff;
        this.fanIn = fanIn;
    }

    /** What a pass has cost here: the reserve a worker keeps for its hand-off. */
    HandOffCost handOffCost() {
        return handOffCost;
    }

    /** A packet ready to send: its next header and cost, and the body that carries them. */
    record Stamped(RelayPacket packet, Header next, RelayCost cost, String body, long size) {
        void applied() {
            packet.header(next);
            packet.cost(cost);
        }
    }

    /** Stamps a packet for a {@code SendMessage} of its own: its cost includes the request(s) of that send. */
    Stamped stamp(RelayPacket pkt, Duration delay) {
        return stamp(pkt, delay, RelayCost.ZERO);
    }

    /** As {@link #stamp(RelayPacket, Duration)}, charging {@code ahead} too: what the pass will spend besides. */
    private Stamped stamp(RelayPacket pkt, Duration delay, RelayCost ahead) {
        Instant notBefore = delay.compareTo(Relay.MAX_SQS_DELAY) > 0 ? clock.instant().plus(delay) : null;
        Header next = pkt.header().next(notBefore);
        long requests = 1;
        while (true) {
            Stamped s = stamp(pkt, next, RelayCost.sqs(requests).plus(ahead));
            long needed = RelayCost.sqsRequests(s.size());
            if (needed <= requests) {
                return s;
            }
            requests = needed; // the body crossed a 64 KiB boundary: charge the chunk it took
        }
    }

    /** Stamps a packet whose pass is charged {@code charged}: its send's SQS requests (none in a batch but for its first entry), and any ledger write. */
    private Stamped stamp(RelayPacket pkt, Header next, RelayCost charged) {
        RelayCost cost = pkt.cost().plus(charged);
        String body = pkt.toJson(next, cost);
        long size = PacketCodec.utf8Length(body);
        if (size > maxPacketBytes) {
            throw new PacketTooLargeException(size, maxPacketBytes, null);
        }
        return new Stamped(pkt, next, cost, body, size);
    }

    /**
     * The message group a packet is sent in: a pooled relay's id, so that SQS, which treats a standard
     * queue whose messages carry a group id as a fair queue, keeps one relay with many packets from
     * delaying the others in the pool; none for a queue of its own.
     */
    static String groupOf(RelayPacket pkt) {
        return pkt.policy().pooled() ? pkt.relayId() : null;
    }

    String pass(RelayPacket pkt, Duration delay) {
        Objects.requireNonNull(pkt, "pkt");
        Objects.requireNonNull(delay, "delay");
        if (delay.isNegative()) {
            throw new IllegalArgumentException("delay must not be negative, got " + delay);
        }
        boolean progress = fanIn.recordsProgress(pkt);
        return send(pkt, delay, stamp(pkt, delay, progress ? RelayCost.ledgerWrites(1) : RelayCost.ZERO), progress);
    }

    /**
     * Sends a pooled packet back to wait, up to 15 minutes, for its relay to be resumed: the same
     * hop, one more send, no progress written (what waiting spends goes with the next hop's).
     */
    String passAgain(RelayPacket pkt, Duration delay) {
        if (delay.compareTo(Relay.MAX_SQS_DELAY) > 0) {
            throw new IllegalArgumentException("a wait is at most " + Relay.MAX_SQS_DELAY + ", got " + delay);
        }
        Header next = pkt.header().resent();
        long requests = 1;
        while (true) {
            Stamped s = stamp(pkt, next, RelayCost.sqs(requests));
            long needed = RelayCost.sqsRequests(s.size());
            if (needed <= requests) {
                return send(pkt, delay, s, false);
            }
            requests = needed;
        }
    }

    private String send(RelayPacket pkt, Duration delay, Stamped s, boolean progress) {
        long seconds = Math.min(Relay.MAX_SQS_DELAY.getSeconds(), delay.getSeconds() + (delay.getNano() > 0 ? 1 : 0));
        try {
            long started = System.nanoTime();
            if (progress) {
                // Before the send: once the next hop can run, this one's units and cost are counted.
                fanIn.progress(pkt, s.cost());
            }
            String messageId = clients.sqs().sendMessage(r -> r.queueUrl(pkt.queueUrl()).messageBody(s.body())
                    .delaySeconds((int) seconds).messageGroupId(groupOf(pkt))).messageId();
            handOffCost.record(System.nanoTime() - started);
            s.applied();
            LOG.debug("relay {} passed hop {} ({} bytes, delay {} s) as message {}", pkt.relayId(), pkt.hop(), s.size(),
                    seconds, messageId);
            return messageId;
        } catch (QueueDoesNotExistException e) {
            throw new RelayPassException("relay queue " + pkt.queueUrl() + " does not exist: the relay was torn down "
                    + "or removed as expired", pkt.queueUrl(), pkt.relayId(), e);
        } catch (SdkException e) {
            throw new RelayPassException("SendMessage to relay queue " + pkt.queueUrl() + " failed (" + describe(e)
                    + "); the packet was not passed and can be passed again", pkt.queueUrl(), pkt.relayId(), e);
        }
    }

    /** Passes a deferred packet on again if it is not due yet, and says whether it did. */
    boolean deferIfNotDue(RelayPacket pkt) {
        return deferIfNotDue(pkt, p -> { });
    }

    /** As {@link #deferIfNotDue(RelayPacket)}, calling {@code beforePass} with the packet just before a pass. */
    boolean deferIfNotDue(RelayPacket pkt, Consumer<RelayPacket> beforePass) {
        Instant notBefore = pkt.header().notBefore();
        if (notBefore == null) {
            return false;
        }
        Duration left = Duration.between(clock.instant(), notBefore);
        if (left.isNegative() || left.isZero()) {
            pkt.header(pkt.header().withNotBefore(null));
            return false;
        }
        beforePass.accept(pkt);
        pass(pkt, left);
        return true;
    }

    List<String> passAll(List<RelayPacket> packets) {
        Objects.requireNonNull(packets, "packets");
        if (packets.isEmpty()) {
            return List.of();
        }
        String queueUrl = packets.get(0).queueUrl();
        List<Stamped> stamped = new ArrayList<>(packets.size());
        for (RelayPacket p : packets) {
            Objects.requireNonNull(p, "packets must not contain null");
            if (!p.queueUrl().equals(queueUrl)) {
                throw new IllegalArgumentException("relayPassAll takes packets of one relay queue; got " + queueUrl
                        + " and " + p.queueUrl());
            }
            stamped.add(stamp(p, p.header().next(null), RelayCost.ZERO));
        }
        boolean progress = fanIn.recordsProgress(packets.get(0));
        // A SendMessageBatch call is billed by its whole payload: each call's requests go to its first packet.
        List<int[]> batches = BatchPass.plan(stamped);
        for (int[] batch : batches) {
            long bytes = 0;
            for (int i = batch[0]; i < batch[1]; i++) {
                bytes += stamped.get(i).size();
            }
            Stamped first = stamped.get(batch[0]);
            RelayCost charged = RelayCost.sqs(RelayCost.sqsRequests(bytes));
            if (progress && batch[0] == 0) {
                charged = charged.plus(RelayCost.ledgerWrites(1)); // one progress write for all the packets
            }
            stamped.set(batch[0], stamp(first.packet(), first.next(), charged));
        }
        if (progress) {
            progressOfAll(stamped);
        }
        return new BatchPass(clients.sqs(), backOff, packets, stamped, batches).run();
    }

    /** One progress write for packets a worker passes together: their units and costs summed. */
    private void progressOfAll(List<Stamped> stamped) {
        RelayPacket first = stamped.get(0).packet();
        long units = 0;
        RelayCost spent = RelayCost.ZERO;
        for (Stamped s : stamped) {
            units += s.packet().pendingUnits();
            spent = spent.plus(s.cost().minus(s.packet().ledgeredCost()));
        }
        RelayPacket sum = first.copy();
        sum.ledgered(RelayCost.ZERO);
        sum.addPendingUnits(units);
        if (fanIn.progress(sum, spent)) {
            for (Stamped s : stamped) {
                s.packet().ledgered(s.cost());
            }
        }
    }

    /**
     * Sends a received body, unchanged, to the dead-letter queue that the relay queue's redrive
     * policy names (not the one the packet names), with the reason as message attributes (the
     * exception's type only: its message may hold packet contents).
     *
     * @return whether it was sent; if not (no DLQ, or SQS failed) the record must fail
     */
    boolean deadLetter(RelayPacket pkt, String body, Exception reason, long receiveCount) {
        String dlqUrl;
        try {
            var info = facts.of(pkt.queueUrl());
            dlqUrl = info == null ? null : info.deadLetterQueueUrl();
        } catch (SdkException e) {
            LOG.warn("relay {}: could not read the redrive policy of its queue ({}); part {} hop {} stays in the queue",
                    pkt.relayId(), e.getClass().getSimpleName(), pkt.part(), pkt.hop());
            return false;
        }
        if (dlqUrl == null) {
            return false;
        }
        boolean sent = deadLetterTo(dlqUrl, body, reason, receiveCount, pkt.relayId());
        if (sent) {
            LOG.warn("relay {}: part {} hop {} failed {} time(s) with {}; moved to the dead-letter queue",
                    pkt.relayId(), pkt.part(), pkt.hop(), receiveCount, reason.getClass().getName());
        } else {
            LOG.warn("relay {}: could not dead-letter part {} hop {}; the record fails and comes back", pkt.relayId(),
                    pkt.part(), pkt.hop());
        }
        return sent;
    }

    /** Sends a body to a dead-letter queue with the reason's type and the receive count as attributes. */
    boolean deadLetterTo(String dlqUrl, String body, Exception reason, long receiveCount) {
        return deadLetterTo(dlqUrl, body, reason, receiveCount, null);
    }

    /** As {@link #deadLetterTo(String, String, Exception, long)}, with the relay's id as an attribute too, if known. */
    private boolean deadLetterTo(String dlqUrl, String body, Exception reason, long receiveCount, String relayId) {
        Map<String, MessageAttributeValue> attributes = new java.util.LinkedHashMap<>();
        attributes.put(Relay.ATTR_ERROR, MessageAttributeValue.builder().dataType("String")
                .stringValue(reason.getClass().getName()).build());
        attributes.put(Relay.ATTR_RECEIVES, MessageAttributeValue.builder().dataType("Number")
                .stringValue(Long.toString(receiveCount)).build());
        if (relayId != null) {
            attributes.put(Relay.ATTR_RELAY_ID, MessageAttributeValue.builder().dataType("String")
                    .stringValue(relayId).build());
        }
        try {
            clients.sqs().sendMessage(r -> r.queueUrl(dlqUrl).messageBody(body).messageAttributes(attributes));
            return true;
        } catch (SdkException e) {
            LOG.debug("SendMessage to dead-letter queue {} failed: {}", dlqUrl, e.getClass().getSimpleName());
            return false;
        }
    }
}
