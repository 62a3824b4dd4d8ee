package io.lambdarelay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lambdarelay.InvalidPacketException.Reason;
import io.lambdarelay.internal.PacketCodec;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The small JSON state handed from one worker invocation to the next.
 *
 * <p>On the wire it keeps the layout of the original Node package, so a Java worker can continue a
 * relay that Node started and the other way round:
 * <pre>{@code {"QueueUrl":"...","UUID":"<mapping uuid>","stats":{"sqsCount":3, ...},"cursor":42}}</pre>
 * {@code QueueUrl}, {@code UUID} and {@code stats} are reserved; every other top-level key belongs
 * to the user and is read and written with the typed {@code put}/{@code get} methods. The library
 * keeps its own metadata (relay id, hop, part, deadline) inside {@code stats} and preserves any
 * {@code stats} keys it does not know.
 *
 * <p>Keep packets small: the default limit is 64 KiB serialized (one SQS billing unit). Put large
 * data in S3 or a table and pass its key.
 *
 * <p>Not thread-safe: a packet belongs to the invocation that is working on it. {@link #toString()}
 * prints ids and counters only, never user values, since they may hold personal data.
 */
public final class RelayPacket {
    /** Reserved top-level key: the relay queue's URL. */
    public static final String QUEUE_URL = "QueueUrl";
    /** Reserved top-level key: the event-source mapping's UUID. */
    public static final String UUID = "UUID";
    /** Reserved top-level key: the library's counters and metadata. */
    public static final String STATS = "stats";
    /** The default packet limit: 64 KiB serialized. */
    public static final int DEFAULT_MAX_BYTES = 65_536;

    static final String SQS_COUNT = "sqsCount";
    static final String RELAY_ID = "relayId";
    static final String HOP = "hop";
    static final String PART = "part";
    static final String PARTS = "parts";
    static final String CREATED_AT = "createdAt";
    static final String DEADLINE = "deadline";
    static final String NOT_BEFORE = "notBefore";
    static final String UNIT_MS = "unitMs";
    static final String DLQ_URL = "dlqUrl";
    static final String FUNCTION = "function";
    static final String MAX_HOPS = "maxHops";
    static final String MAX_IDLE_HOPS = "maxIdleHops";
    static final String IDLE_HOPS = "idleHops";
    static final String MAX_RECEIVE = "maxReceive";
    static final String TOLERATED = "toleratedFailures";
    static final String CONCURRENCY = "concurrency";
    static final String PACE_AT = "paceAt";
    static final String THROTTLES = "throttles";
    static final String WATCHDOG = "watchdog";
    static final String EMPTY_SINCE = "emptySince";
    static final String RATE = "rate";

    private static final List<String> NON_NEGATIVE_LONGS = List.of(SQS_COUNT, HOP, PART, PARTS, CREATED_AT, DEADLINE,
            NOT_BEFORE, UNIT_MS, MAX_HOPS, MAX_IDLE_HOPS, IDLE_HOPS, MAX_RECEIVE, TOLERATED, CONCURRENCY, PACE_AT,
            THROTTLES, WATCHDOG, EMPTY_SINCE);
    private static final List<String> STRINGS = List.of(RELAY_ID, DLQ_URL, FUNCTION);

    private String queueUrl;
    private String uuid;
    private final ObjectNode stats;
    private final ObjectNode data;

    private RelayPacket(String queueUrl, String uuid, ObjectNode stats, ObjectNode data) {
        this.queueUrl = queueUrl;
        this.uuid = uuid;
        this.stats = stats;
        this.data = data;
    }

    static RelayPacket create(String queueUrl, String uuid) {
        ObjectNode stats = JsonNodeFactory.instance.objectNode();
        stats.put(SQS_COUNT, 0L);
        return new RelayPacket(queueUrl, uuid, stats, JsonNodeFactory.instance.objectNode());
    }

    /**
     * Reads a packet from its JSON text with the default 64 KiB limit.
     *
     * @param json the serialized packet, as found in an SQS message body
     * @return the packet
     * @throws InvalidPacketException when the text is not a valid packet; the reason says why
     */
    public static RelayPacket fromJson(String json) {
        return fromJson(json, DEFAULT_MAX_BYTES);
    }

    /**
     * Reads a packet from its JSON text.
     *
     * @param json the serialized packet
     * @param maxBytes the largest accepted size in UTF-8 bytes, 1 to 1,048,576
     * @return the packet
     * @throws InvalidPacketException when the text is not a valid packet; the reason says why
     */
    public static RelayPacket fromJson(String json, int maxBytes) {
        return parse(json, checkLimit(maxBytes), null);
    }

    static RelayPacket parse(String json, int maxBytes, String messageId) {
        JsonNode root = PacketCodec.parse(json, maxBytes, messageId);
        if (!root.isObject()) {
            throw new InvalidPacketException(Reason.NOT_AN_OBJECT,
                    "relay packet must be a JSON object, got " + typeName(root), messageId, null);
        }
        ObjectNode obj = (ObjectNode) root;
        String queueUrl = requiredText(obj, QUEUE_URL, messageId);
        String uuid = requiredText(obj, UUID, messageId);
        JsonNode statsNode = obj.get(STATS);
        ObjectNode stats;
        if (statsNode == null || statsNode.isNull()) {
            stats = JsonNodeFactory.instance.objectNode();
        } else if (statsNode.isObject()) {
            stats = (ObjectNode) statsNode;
        } else {
            throw new InvalidPacketException(Reason.WRONG_TYPE,
                    "relay packet key 'stats' must be an object, got " + typeName(statsNode), messageId, null);
        }
        validateStats(stats, messageId);
        if (!stats.has(SQS_COUNT)) {
            stats.put(SQS_COUNT, 0L);
        }
        ObjectNode data = JsonNodeFactory.instance.objectNode();
        for (Iterator<Map.Entry<String, JsonNode>> it = obj.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!isReserved(e.getKey())) {
                data.set(e.getKey(), e.getValue());
            }
        }
        return new RelayPacket(queueUrl, uuid, stats, data);
    }

    static int checkLimit(int maxBytes) {
        if (maxBytes < 1 || maxBytes > PacketCodec.MAX_SQS_MESSAGE_BYTES) {
            throw new IllegalArgumentException("maxPacketBytes must be 1 to " + PacketCodec.MAX_SQS_MESSAGE_BYTES
                    + " (SQS's message limit), got " + maxBytes);
        }
        return maxBytes;
    }

    private static void validateStats(ObjectNode stats, String messageId) {
        for (String key : NON_NEGATIVE_LONGS) {
            JsonNode v = stats.get(key);
            if (v == null || v.isNull()) {
                continue;
            }
            if (!v.isIntegralNumber() || !v.canConvertToLong()) {
                throw new InvalidPacketException(Reason.WRONG_TYPE, "relay packet 'stats." + key
                        + "' must be a whole number, got " + typeName(v), messageId, null);
            }
            if (v.longValue() < 0) {
                throw new InvalidPacketException(Reason.INVALID_VALUE, "relay packet 'stats." + key
                        + "' must not be negative, got " + v.longValue(), messageId, null);
            }
        }
        JsonNode rate = stats.get(RATE);
        if (rate != null && !rate.isNull() && (!rate.isNumber() || !(rate.doubleValue() > 0)
                || Double.isInfinite(rate.doubleValue()))) {
            throw new InvalidPacketException(Reason.INVALID_VALUE, "relay packet 'stats." + RATE
                    + "' must be a positive number", messageId, null);
        }
        for (String key : STRINGS) {
            JsonNode v = stats.get(key);
            if (v != null && !v.isNull() && !v.isTextual()) {
                throw new InvalidPacketException(Reason.WRONG_TYPE, "relay packet 'stats." + key
                        + "' must be a string, got " + typeName(v), messageId, null);
            }
        }
    }

    private static String requiredText(ObjectNode obj, String key, String messageId) {
        JsonNode v = obj.get(key);
        if (v == null || v.isNull()) {
            throw new InvalidPacketException(Reason.MISSING_KEY, "relay packet has no '" + key
                    + "'; it was not created by Relay.setup (or the Node package's setup)", messageId, null);
        }
        if (!v.isTextual() || v.textValue().isBlank()) {
            throw new InvalidPacketException(Reason.WRONG_TYPE, "relay packet '" + key
                    + "' must be a non-empty string, got " + typeName(v), messageId, null);
        }
        return v.textValue();
    }

    static String typeName(JsonNode node) {
        JsonNodeType t = node.getNodeType();
        switch (t) {
            case OBJECT: return "an object";
            case ARRAY: return "an array";
            case STRING: return "a string";
            case NUMBER: return node.isIntegralNumber() ? "a whole number" : "a decimal number";
            case BOOLEAN: return "a boolean";
            case NULL: return "null";
            default: return t.name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * Tells whether a top-level key is reserved for the library.
     *
     * @param key a key
     * @return {@code true} for {@code QueueUrl}, {@code UUID} and {@code stats}
     */
    public static boolean isReserved(String key) {
        return QUEUE_URL.equals(key) || UUID.equals(key) || STATS.equals(key);
    }

    /**
     * Serializes the packet in the wire layout: {@code QueueUrl}, {@code UUID}, {@code stats}, then
     * the user's keys in insertion order.
     *
     * @return the JSON text
     */
    public String toJson() {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        root.put(QUEUE_URL, queueUrl);
        root.put(UUID, uuid);
        root.set(STATS, stats);
        root.setAll(data);
        return PacketCodec.write(root);
    }

    /**
     * Returns the serialized size, the figure the packet limit applies to.
     *
     * @return size of {@link #toJson()} in UTF-8 bytes
     */
    public long sizeBytes() {
        return PacketCodec.utf8Length(toJson());
    }

    /**
     * Returns an independent copy; changing one does not change the other.
     *
     * @return the copy
     */
    public RelayPacket copy() {
        return new RelayPacket(queueUrl, uuid, stats.deepCopy(), data.deepCopy());
    }

    // ---- reserved values ------------------------------------------------------------------

    /**
     * Returns the relay queue's URL.
     *
     * @return the queue URL
     */
    public String queueUrl() {
        return queueUrl;
    }

    /**
     * Returns the UUID of the event-source mapping that feeds the worker.
     *
     * @return the mapping UUID
     */
    public String mappingUuid() {
        return uuid;
    }

    /**
     * Returns how many times the packet was passed (the Node package's {@code stats.sqsCount}).
     *
     * @return the pass count
     */
    public long sqsCount() {
        return statLong(SQS_COUNT, 0);
    }

    /**
     * Returns the number of hand-offs along this packet's chain.
     *
     * @return the hop, 0 for a packet straight from setup
     */
    public long hop() {
        return statLong(HOP, 0);
    }

    /**
     * Returns the relay's id, the value of its queues' {@code lambda-relay:relay-id} tag.
     *
     * @return the id, or {@code null} for a packet the Node package started
     */
    public String relayId() {
        return statText(RELAY_ID);
    }

    /**
     * Returns when the relay was set up.
     *
     * @return the creation instant, if the packet carries one
     */
    public Optional<Instant> createdAt() {
        return statInstant(CREATED_AT);
    }

    /**
     * Returns when a deferred packet may run again; set by a {@code relayPass} delay over SQS's 15
     * minutes.
     *
     * @return the instant, if the packet is deferred
     */
    public Optional<Instant> notBefore() {
        return statInstant(NOT_BEFORE);
    }

    /**
     * Returns this packet's part number in a fan-out.
     *
     * @return 0 to {@code partCount() - 1}; 0 for a chain
     */
    public int part() {
        return (int) statLong(PART, 0);
    }

    /**
     * Returns how many parts the relay was split into.
     *
     * @return the part count, 1 for a chain
     */
    public int partCount() {
        return (int) Math.max(1, statLong(PARTS, 1));
    }

    /**
     * Returns the relay's deadline; past it, a worker ends the relay.
     *
     * @return the deadline, if the packet carries one
     */
    public Optional<Instant> deadline() {
        return statInstant(DEADLINE);
    }

    /**
     * Splits a packet into labelled parts for a fan-out: part {@code i} of {@code parts}, each an
     * independent copy carrying this packet's user keys. Set part-specific keys on each, then pass
     * them all with {@link Relay#relayPassAll}.
     *
     * @param parts 1 to 100,000
     * @return the parts, in order
     * @throws IllegalStateException if this packet is already a part of a fan-out
     */
    public List<RelayPacket> split(int parts) {
        if (parts < 1 || parts > 100_000) {
            throw new IllegalArgumentException("parts must be 1 to 100000, got " + parts);
        }
        if (stats.has(PARTS)) {
            throw new IllegalStateException("packet is already part " + part() + " of " + partCount()
                    + "; split the packet setup returned, once");
        }
        List<RelayPacket> out = new ArrayList<>(parts);
        for (int i = 0; i < parts; i++) {
            RelayPacket p = copy();
            p.stat(PART, i);
            p.stat(PARTS, parts);
            out.add(p);
        }
        return out;
    }

    // ---- user values ----------------------------------------------------------------------

    /**
     * Sets a string value.
     *
     * @param key a user key, not reserved
     * @param value the value; {@code null} stores JSON null
     * @return this packet
     */
    public RelayPacket put(String key, String value) {
        data.put(userKey(key), value);
        return this;
    }

    /**
     * Sets a whole-number value.
     *
     * @param key a user key, not reserved
     * @param value the value
     * @return this packet
     */
    public RelayPacket put(String key, long value) {
        data.put(userKey(key), value);
        return this;
    }

    /**
     * Sets a decimal value.
     *
     * @param key a user key, not reserved
     * @param value a finite value
     * @return this packet
     */
    public RelayPacket put(String key, double value) {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException("packet value for '" + key + "' must be finite (JSON has no "
                    + "NaN or Infinity), got " + value);
        }
        data.put(userKey(key), value);
        return this;
    }

    /**
     * Sets an exact decimal value.
     *
     * @param key a user key, not reserved
     * @param value the value; {@code null} stores JSON null
     * @return this packet
     */
    public RelayPacket put(String key, BigDecimal value) {
        data.put(userKey(key), value);
        return this;
    }

    /**
     * Sets a boolean value.
     *
     * @param key a user key, not reserved
     * @param value the value
     * @return this packet
     */
    public RelayPacket put(String key, boolean value) {
        data.put(userKey(key), value);
        return this;
    }

    /**
     * Sets any value Jackson can turn into JSON: a list, a map, a record or bean.
     *
     * @param key a user key, not reserved
     * @param value the value; {@code null} stores JSON null
     * @return this packet
     */
    public RelayPacket putObject(String key, Object value) {
        data.set(userKey(key), PacketCodec.mapper().valueToTree(value));
        return this;
    }

    /**
     * Tells whether a user key is present.
     *
     * @param key the key
     * @return {@code true} if present, even when its value is JSON null
     */
    public boolean has(String key) {
        return data.has(key);
    }

    /**
     * Removes a user key.
     *
     * @param key the key
     * @return this packet
     */
    public RelayPacket remove(String key) {
        data.remove(userKey(key));
        return this;
    }

    /**
     * Returns the user keys, in insertion order.
     *
     * @return an unmodifiable snapshot of the keys
     */
    public Set<String> keys() {
        List<String> keys = new ArrayList<>();
        data.fieldNames().forEachRemaining(keys::add);
        return Collections.unmodifiableSet(new java.util.LinkedHashSet<>(keys));
    }

    /**
     * Returns a string value.
     *
     * @param key the key
     * @return the value, or {@code null} if absent or JSON null
     * @throws InvalidPacketException if the value is not a string
     */
    public String getString(String key) {
        JsonNode v = value(key);
        if (v == null) {
            return null;
        }
        if (!v.isTextual()) {
            throw wrongType(key, "a string", v);
        }
        return v.textValue();
    }

    /**
     * Returns a string value, or a default.
     *
     * @param key the key
     * @param defaultValue returned when the key is absent or JSON null
     * @return the value
     * @throws InvalidPacketException if the value is not a string
     */
    public String getString(String key, String defaultValue) {
        String v = getString(key);
        return v == null ? defaultValue : v;
    }

    /**
     * Returns a whole-number value, or a default.
     *
     * @param key the key
     * @param defaultValue returned when the key is absent or JSON null
     * @return the value
     * @throws InvalidPacketException if the value is not a whole number that fits a {@code long}
     */
    public long getLong(String key, long defaultValue) {
        JsonNode v = value(key);
        if (v == null) {
            return defaultValue;
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw wrongType(key, "a whole number", v);
        }
        return v.longValue();
    }

    /**
     * Returns a whole-number value that fits an {@code int}, or a default.
     *
     * @param key the key
     * @param defaultValue returned when the key is absent or JSON null
     * @return the value
     * @throws InvalidPacketException if the value is not a whole number that fits an {@code int}
     */
    public int getInt(String key, int defaultValue) {
        JsonNode v = value(key);
        if (v == null) {
            return defaultValue;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw wrongType(key, "a whole number within int range", v);
        }
        return v.intValue();
    }

    /**
     * Returns a numeric value as a double, or a default.
     *
     * @param key the key
     * @param defaultValue returned when the key is absent or JSON null
     * @return the value
     * @throws InvalidPacketException if the value is not a number
     */
    public double getDouble(String key, double defaultValue) {
        JsonNode v = value(key);
        if (v == null) {
            return defaultValue;
        }
        if (!v.isNumber()) {
            throw wrongType(key, "a number", v);
        }
        return v.doubleValue();
    }

    /**
     * Returns a numeric value exactly, or {@code null}.
     *
     * @param key the key
     * @return the value, or {@code null} if absent or JSON null
     * @throws InvalidPacketException if the value is not a number
     */
    public BigDecimal getDecimal(String key) {
        JsonNode v = value(key);
        if (v == null) {
            return null;
        }
        if (!v.isNumber()) {
            throw wrongType(key, "a number", v);
        }
        return v.decimalValue();
    }

    /**
     * Returns a boolean value, or a default.
     *
     * @param key the key
     * @param defaultValue returned when the key is absent or JSON null
     * @return the value
     * @throws InvalidPacketException if the value is not a boolean
     */
    public boolean getBoolean(String key, boolean defaultValue) {
        JsonNode v = value(key);
        if (v == null) {
            return defaultValue;
        }
        if (!v.isBoolean()) {
            throw wrongType(key, "a boolean", v);
        }
        return v.booleanValue();
    }

    /**
     * Converts a value to the given type with Jackson (no polymorphic typing).
     *
     * @param key the key
     * @param type the target type, such as a record
     * @param <T> the target type
     * @return the value, or {@code null} if absent or JSON null
     * @throws InvalidPacketException if the value does not convert to the type
     */
    public <T> T get(String key, Class<T> type) {
        Objects.requireNonNull(type, "type");
        JsonNode v = value(key);
        if (v == null) {
            return null;
        }
        try {
            return PacketCodec.mapper().treeToValue(v, type);
        } catch (com.fasterxml.jackson.core.JsonProcessingException | IllegalArgumentException e) {
            throw new InvalidPacketException(Reason.WRONG_TYPE, "packet key '" + key + "' holds " + typeName(v)
                    + " that does not convert to " + type.getName(), null, null);
        }
    }

    private JsonNode value(String key) {
        JsonNode v = data.get(Objects.requireNonNull(key, "key"));
        return v == null || v.isNull() ? null : v;
    }

    private static InvalidPacketException wrongType(String key, String expected, JsonNode actual) {
        return new InvalidPacketException(Reason.WRONG_TYPE,
                "packet key '" + key + "' holds " + typeName(actual) + ", expected " + expected, null, null);
    }

    private static String userKey(String key) {
        Objects.requireNonNull(key, "key");
        if (isReserved(key)) {
            throw new IllegalArgumentException("packet key '" + key
                    + "' is reserved by the relay (QueueUrl, UUID, stats); choose another key");
        }
        return key;
    }

    // ---- library metadata, package-private ---------------------------------------------------

    void queueUrl(String url) {
        this.queueUrl = url;
    }

    void mappingUuid(String mappingUuid) {
        this.uuid = mappingUuid;
    }

    long statLong(String key, long defaultValue) {
        JsonNode v = stats.get(key);
        return v == null || v.isNull() ? defaultValue : v.longValue();
    }

    String statText(String key) {
        JsonNode v = stats.get(key);
        return v == null || v.isNull() ? null : v.textValue();
    }

    Optional<Instant> statInstant(String key) {
        JsonNode v = stats.get(key);
        return v == null || v.isNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(v.longValue()));
    }

    void stat(String key, long value) {
        stats.put(key, value);
    }

    void stat(String key, String value) {
        stats.put(key, value);
    }

    void stat(String key, double value) {
        stats.put(key, value);
    }

    double statDouble(String key, double defaultValue) {
        JsonNode v = stats.get(key);
        return v == null || v.isNull() ? defaultValue : v.doubleValue();
    }

    boolean hasStat(String key) {
        JsonNode v = stats.get(key);
        return v != null && !v.isNull();
    }

    void restoreFrom(RelayPacket other) {
        this.queueUrl = other.queueUrl;
        this.uuid = other.uuid;
        stats.removeAll();
        stats.setAll(other.stats.deepCopy());
        data.removeAll();
        data.setAll(other.data.deepCopy());
    }

    void clearStat(String key) {
        stats.remove(key);
    }

    ObjectNode statsSnapshot() {
        return stats.deepCopy();
    }

    void restoreStats(ObjectNode snapshot) {
        stats.removeAll();
        stats.setAll(snapshot);
    }

    /**
     * Compares packets by their serialized content, so a packet equals its own JSON round trip.
     *
     * @param o another object
     * @return {@code true} if both serialize to the same content
     */
    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof RelayPacket)) {
            return false;
        }
        return toJson().equals(((RelayPacket) o).toJson());
    }

    @Override
    public int hashCode() {
        return toJson().hashCode();
    }

    /**
     * Describes the packet by ids and counters only; user values are never printed.
     *
     * @return a description without packet contents
     */
    @Override
    public String toString() {
        return "RelayPacket{relayId=" + relayId() + ", hop=" + hop() + ", sqsCount=" + sqsCount()
                + ", userKeys=" + data.size() + "}";
    }
}
