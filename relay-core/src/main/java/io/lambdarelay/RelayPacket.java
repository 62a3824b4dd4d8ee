package io.lambdarelay;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lambdarelay.internal.PacketCodec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The small JSON state handed from one worker invocation to the next.
 *
 * <p>On the wire it keeps the layout of the original Node package, so a Java worker can continue a
 * relay that Node started and the other way round:
 * <pre>{@code {"QueueUrl":"...","UUID":"<mapping uuid>","stats":{"sqsCount":3, ...},"cursor":42}}</pre>
 * {@code QueueUrl}, {@code UUID} and {@code stats} are reserved; every other top-level key belongs
 * to the user and is read and written with the typed {@code put}/{@code get} methods. The library
 * keeps its own metadata (relay id, hop, part, deadline, the relay's rules) inside {@code stats},
 * typed on reading, and preserves any {@code stats} keys it does not know.
 *
 * <p>Keep packets small: the default limit is 64 KiB serialized (one SQS billing unit). Put large
 * data in S3 or a table and pass its key.
 *
 * <p>Not thread-safe: a packet belongs to the invocation that is working on it. Equality is
 * identity (a packet changes as work goes on); compare {@link #toJson()} for content.
 * {@link #toString()} prints ids and counters only, never user values, since they may hold
 * personal data.
 */
public final class RelayPacket extends PacketData {
    /** Reserved top-level key: the relay queue's URL. */
    public static final String QUEUE_URL = ControlCodec.QUEUE_URL;
    /** Reserved top-level key: the event-source mapping's UUID. */
    public static final String UUID = ControlCodec.UUID;
    /** Reserved top-level key: the library's counters and metadata. */
    public static final String STATS = ControlCodec.STATS;
    /** The default packet limit: 64 KiB serialized. */
    public static final int DEFAULT_MAX_BYTES = 65_536;

    private Header header;
    private Policy policy;
    private HopState hopState;
    private RelayCost cost;
    /** {@code stats} keys this version does not know, kept for the writer that does. */
    private final ObjectNode otherStats;
    /**
     * The part of {@link #cost} already in the relay's ledger: what a worker's ledger write adds is
     * the cost since. Not on the wire: a received packet's cost is in the ledger up to its send,
     * but for a packet's first hop, which the start (not a worker) passed.
     */
    private RelayCost ledgered;
    /** Units this hop completed that no ledger write has counted yet. Not on the wire. */
    private long pendingUnits;

    private RelayPacket(Header header, Policy policy, HopState hopState, RelayCost cost, ObjectNode otherStats,
            ObjectNode data, ValueCodec values) {
        super(data, values);
        this.header = header;
        this.policy = policy;
        this.hopState = hopState;
        this.cost = cost;
        this.otherStats = otherStats;
        this.ledgered = RelayCost.ZERO;
    }

    /** A packet straight from setup, with no user keys yet, that writes objects with {@code values}. */
    static RelayPacket create(Header header, Policy policy, ValueCodec values) {
        return new RelayPacket(header, policy, HopState.START, RelayCost.ZERO, JsonNodeFactory.instance.objectNode(),
                JsonNodeFactory.instance.objectNode(), values);
    }

    @Override
    RelayPacket self() {
        return this;
    }

    /**
     * Reads a packet from its JSON text with the default 64 KiB limit. Its objects
     * ({@code putObject}, {@code get(key, Type.class)}) go through the library's value mapper; a
     * packet a {@link Relay} reads ({@link Relay#getRelayPkt(com.amazonaws.services.lambda.runtime.events.SQSEvent.SQSMessage)}) uses the relay's.
     *
     * @param json the serialized packet, as found in an SQS message body
     * @return the packet
     * @throws InvalidPacketException when the text is not a valid packet; the reason says why
     */
    public static RelayPacket fromJson(String json) {
        return parse(json, DEFAULT_MAX_BYTES, null, ValueCodec.defaults());
    }

    /**
     * Reads a packet from its JSON text, with the library's value mapper as
     * {@link #fromJson(String)} does.
     *
     * @param json the serialized packet
     * @param maxBytes the largest accepted size in UTF-8 bytes, 1 to 1,048,576
     * @return the packet
     * @throws InvalidPacketException when the text is not a valid packet; the reason says why
     * @throws IllegalArgumentException if {@code maxBytes} is outside 1 to 1,048,576
     */
    public static RelayPacket fromJson(String json, int maxBytes) {
        return parse(json, checkLimit(maxBytes), null, ValueCodec.defaults());
    }

    /** Reads a packet whose objects go through {@code values}; {@code messageId} only labels errors. */
    static RelayPacket parse(String json, int maxBytes, String messageId, ValueCodec values) {
        ControlCodec.Parts p = ControlCodec.read(PacketCodec.parse(json, maxBytes, messageId), messageId);
        RelayPacket pkt = new RelayPacket(p.header(), p.policy(), p.hopState(), p.cost(), p.otherStats(), p.data(),
                values);
        // A worker writes what a hop spent to the ledger as it passes the packet on; the start does not.
        pkt.ledgered = p.header().hop() > Header.FIRST_HOP ? p.cost() : RelayCost.ZERO;
        return pkt;
    }

    static int checkLimit(int maxBytes) {
        if (maxBytes < 1 || maxBytes > PacketCodec.MAX_SQS_MESSAGE_BYTES) {
            throw new IllegalArgumentException("maxPacketBytes must be 1 to " + PacketCodec.MAX_SQS_MESSAGE_BYTES
                    + " (SQS's message limit), got " + maxBytes);
        }
        return maxBytes;
    }

    /**
     * Tells whether a top-level key is reserved for the library.
     *
     * @param key a key
     * @return {@code true} for {@code QueueUrl}, {@code UUID} and {@code stats}
     */
    public static boolean isReserved(String key) {
        return ControlCodec.isReserved(key);
    }

    /**
     * Serializes the packet in the wire layout: {@code QueueUrl}, {@code UUID}, {@code stats}, then
     * the user's keys in insertion order.
     *
     * @return the JSON text
     */
    public String toJson() {
        return toJson(header, cost);
    }

    /** The packet as it would be with another header and cost: what a pass sends. */
    String toJson(Header withHeader, RelayCost withCost) {
        return PacketCodec.write(ControlCodec.write(withHeader, policy, hopState, withCost, otherStats, data));
    }

    /** {@return the serialized size in UTF-8 bytes, the figure the packet limit applies to} */
    public long sizeBytes() {
        return PacketCodec.utf8Length(toJson());
    }

    /** {@return an independent copy, with the same value mapper; changing one does not change the other} */
    public RelayPacket copy() {
        RelayPacket p = new RelayPacket(header, policy, hopState, cost, otherStats.deepCopy(), data.deepCopy(),
                values());
        p.ledgered = ledgered;
        p.pendingUnits = pendingUnits;
        return p;
    }

    /**
     * {@return what this packet's chain (or part of a fan-out) has spent so far: its hops, Lambda
     * requests and duration, SQS requests and ledger writes, including the send that delivered it;
     * zero for a packet the Node package or an older version passed. For a fan-out's total, see
     * {@link Relay#cost(RelayPacket)}}
     */
    public RelayCost cost() {
        return cost;
    }

    /** {@return the relay queue's URL} */
    public String queueUrl() {
        return header.queueUrl();
    }

    /** {@return the UUID of the event-source mapping that feeds the worker} */
    public String mappingUuid() {
        return header.mappingUuid();
    }

    /** {@return how many times the packet was passed (the Node package's {@code stats.sqsCount})} */
    public long sqsCount() {
        return header.sqsCount();
    }

    /** {@return the number of hand-offs along this packet's chain, 0 straight from setup} */
    public long hop() {
        return header.hop();
    }

    /**
     * {@return the relay's id, the value of its queues' {@code lambda-relay:relay-id} tag, or
     * {@code null} for a packet the Node package started}
     */
    public String relayId() {
        return header.relayId();
    }

    /** {@return when the relay was set up, if the packet says} */
    public Optional<Instant> createdAt() {
        return Optional.ofNullable(header.createdAt());
    }

    /**
     * {@return when a deferred packet may run again, if it is deferred: set by a {@code relayPass}
     * delay over SQS's 15 minutes}
     */
    public Optional<Instant> notBefore() {
        return Optional.ofNullable(header.notBefore());
    }

    /** {@return this packet's part number in a fan-out, 0 to {@code partCount() - 1}; 0 for a chain} */
    public int part() {
        return header.part();
    }

    /** {@return how many parts the relay was split into, 1 for a chain} */
    public int partCount() {
        return header.parts();
    }

    /** {@return the relay's deadline, past which a worker ends the relay, if the packet carries one} */
    public Optional<Instant> deadline() {
        return Optional.ofNullable(header.deadline());
    }

    /** {@return the relay's dead-letter queue, if it has one; a relay the Node package started has none} */
    public Optional<String> deadLetterQueueUrl() {
        return Optional.ofNullable(header.dlqUrl());
    }

    /**
     * Splits a packet into labelled parts for a fan-out: part {@code i} of {@code parts}, each an
     * independent copy carrying this packet's user keys. Set part-specific keys on each, then pass
     * them all with {@link Relay#relayPassAll}.
     *
     * @param parts 1 to 100,000
     * @return the parts, in order
     * @throws IllegalArgumentException if {@code parts} is outside 1 to 100,000
     * @throws IllegalStateException if this packet is already a part of a fan-out
     */
    public List<RelayPacket> split(int parts) {
        if (parts < 1 || parts > ControlCodec.MAX_PARTS) {
            throw new IllegalArgumentException("parts must be 1 to " + ControlCodec.MAX_PARTS + ", got " + parts);
        }
        if (header.isPart()) {
            throw new IllegalStateException("packet is already part " + part() + " of " + partCount()
                    + "; split the packet setup returned, once");
        }
        List<RelayPacket> out = new ArrayList<>(parts);
        for (int i = 0; i < parts; i++) {
            RelayPacket p = copy();
            p.header = header.asPart(i, parts);
            p.cost = i == 0 ? cost : RelayCost.ZERO; // what the packet spent is counted once, in part 0
            p.ledgered = i == 0 ? ledgered : RelayCost.ZERO;
            p.pendingUnits = i == 0 ? pendingUnits : 0;
            out.add(p);
        }
        return out;
    }

    // ---- control state, for the library ----------------------------------------------------

    Header header() {
        return header;
    }

    void header(Header header) {
        this.header = header;
    }

    Policy policy() {
        return policy;
    }

    HopState hopState() {
        return hopState;
    }

    void hopState(HopState hopState) {
        this.hopState = hopState;
    }

    void cost(RelayCost cost) {
        this.cost = cost;
    }

    /** Adds what the current hop spent to the packet's cost. */
    void addCost(RelayCost spent) {
        cost = cost.plus(spent);
    }

    /** What of the packet's cost no ledger write has added to the relay's total yet. */
    RelayCost unledgeredCost() {
        return cost.minus(ledgered);
    }

    /** The part of the packet's cost a ledger write has added to the relay's total. */
    RelayCost ledgeredCost() {
        return ledgered;
    }

    /** Units completed that no ledger write has counted yet. */
    long pendingUnits() {
        return pendingUnits;
    }

    /** Adds completed units for the next ledger write to count. */
    void addPendingUnits(long units) {
        pendingUnits += units;
    }

    /** A ledger write counted the units pending and the cost up to {@code cost}. */
    void ledgered(RelayCost upTo) {
        ledgered = upTo;
        pendingUnits = 0;
    }

    /** Replaces this packet's user keys and control state with a copy's: undoes a unit that was refused. */
    void restoreFrom(RelayPacket other) {
        header = other.header;
        policy = other.policy;
        hopState = other.hopState;
        cost = other.cost;
        ledgered = other.ledgered;
        pendingUnits = other.pendingUnits;
        otherStats.removeAll();
        otherStats.setAll(other.otherStats.deepCopy());
        data.removeAll();
        data.setAll(other.data.deepCopy());
    }

    /**
     * Describes the packet by ids and counters only; user values are never printed.
     *
     * @return a description without packet contents
     */
    @Override
    public String toString() {
        return "RelayPacket{relayId=" + relayId() + ", hop=" + hop() + ", part=" + part() + "/" + partCount()
                + ", sqsCount=" + sqsCount() + ", userKeys=" + data.size() + "}";
    }
}
