package io.lambdarelay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lambdarelay.InvalidPacketException.Reason;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Maps a packet's typed control state ({@link Header}, {@link Policy}, {@link HopState}) to and
 * from the wire layout of the Node package: {@code QueueUrl}, {@code UUID}, and the library's
 * keys inside {@code stats}. Reading validates every key it knows (type and range) and keeps the
 * ones it does not, so a newer or older writer's keys survive the round trip. Stateless.
 */
final class ControlCodec {
    static final String QUEUE_URL = "QueueUrl";
    static final String UUID = "UUID";
    static final String STATS = "stats";

    private static final String SQS_COUNT = "sqsCount";
    private static final String RELAY_ID = "relayId";
    private static final String HOP = "hop";
    private static final String PART = "part";
    private static final String PARTS = "parts";
    private static final String CREATED_AT = "createdAt";
    private static final String DEADLINE = "deadline";
    private static final String NOT_BEFORE = "notBefore";
    private static final String DLQ_URL = "dlqUrl";
    private static final String FUNCTION = "function";
    private static final String MAX_HOPS = "maxHops";
    private static final String MAX_IDLE_HOPS = "maxIdleHops";
    private static final String MAX_RECEIVE = "maxReceive";
    private static final String TOLERATED = "toleratedFailures";
    private static final String RATE = "rate";
    private static final String CONCURRENCY = "concurrency";
    private static final String IDLE_HOPS = "idleHops";
    private static final String PACE_AT = "paceAt";
    private static final String THROTTLES = "throttles";
    private static final String UNIT_MS = "unitMs";
    private static final String WATCHDOG = "watchdog";
    private static final String EMPTY_SINCE = "emptySince";
    private static final String ADAPTIVE_RATE = "adaptiveRate";
    private static final String PART_RATE = "partRate";
    private static final String RATE_FOUND = "rateFound";
    private static final String END_WHEN_DEAD_LETTERED = "endWhenDeadLettered";
    private static final String POOLED = "pooled";
    private static final String WAITS = "waits";
    private static final String COST_HOPS = "costHops";
    private static final String COST_LAMBDA = "costLambda";
    private static final String COST_MB_MS = "costMbMs";
    private static final String COST_SQS = "costSqs";
    private static final String COST_LEDGER = "costLedger";
    private static final String COST_READS = "costReads";
    private static final Set<String> KNOWN = Set.of(SQS_COUNT, RELAY_ID, HOP, PART, PARTS, CREATED_AT, DEADLINE,
            NOT_BEFORE, DLQ_URL, FUNCTION, MAX_HOPS, MAX_IDLE_HOPS, MAX_RECEIVE, TOLERATED, RATE, CONCURRENCY,
            IDLE_HOPS, PACE_AT, THROTTLES, UNIT_MS, WATCHDOG, EMPTY_SINCE, ADAPTIVE_RATE, PART_RATE, RATE_FOUND,
            END_WHEN_DEAD_LETTERED, POOLED, WAITS, COST_HOPS, COST_LAMBDA, COST_MB_MS, COST_SQS, COST_LEDGER,
            COST_READS);
    /** The most parts a fan-out may have. */
    static final int MAX_PARTS = 100_000;

    /** A packet's parts as read: control state, its cost so far, the {@code stats} keys not known here, the user's keys. */
    record Parts(Header header, Policy policy, HopState hopState, RelayCost cost, ObjectNode otherStats,
            ObjectNode data) {
    }

    private ControlCodec() {
    }

    /** Reads and validates a parsed packet; {@code messageId} only labels errors. */
    static Parts read(JsonNode root, String messageId) {
        if (!root.isObject()) {
            throw invalid(Reason.NOT_AN_OBJECT, "relay packet must be a JSON object, got " + typeName(root), messageId);
        }
        ObjectNode obj = (ObjectNode) root;
        JsonNode statsNode = obj.get(STATS);
        ObjectNode stats;
        if (statsNode == null || statsNode.isNull()) {
            stats = JsonNodeFactory.instance.objectNode();
        } else if (statsNode.isObject()) {
            stats = (ObjectNode) statsNode;
        } else {
            throw invalid(Reason.WRONG_TYPE, "relay packet key 'stats' must be an object, got " + typeName(statsNode),
                    messageId);
        }
        Fields f = new Fields(stats, messageId);
        int parts = f.integer(PARTS, 1);
        if (parts < 1 || parts > MAX_PARTS) {
            throw invalid(Reason.INVALID_VALUE, "relay packet 'stats.parts' must be 1 to " + MAX_PARTS + ", got "
                    + parts, messageId);
        }
        int part = f.integer(PART, 0);
        if (part >= parts) {
            throw invalid(Reason.INVALID_VALUE, "relay packet 'stats.part' must be below 'stats.parts' (" + parts
                    + "), got " + part, messageId);
        }
        Header header = new Header(requiredText(obj, QUEUE_URL, messageId), requiredText(obj, UUID, messageId),
                f.text(RELAY_ID), f.count(SQS_COUNT), f.count(HOP), part, parts, f.instant(CREATED_AT),
                f.instant(DEADLINE), f.instant(NOT_BEFORE), f.text(DLQ_URL), f.text(FUNCTION));
        Policy policy = new Policy(f.count(MAX_HOPS), f.count(MAX_IDLE_HOPS), f.count(MAX_RECEIVE), f.count(TOLERATED),
                f.rate(RATE), f.integer(CONCURRENCY, 0), f.count(ADAPTIVE_RATE) > 0, f.count(END_WHEN_DEAD_LETTERED) > 0,
                f.count(POOLED) > 0);
        HopState hopState = new HopState(f.count(WATCHDOG) > 0 ? HopState.Kind.WATCHDOG : HopState.Kind.WORK,
                f.count(IDLE_HOPS), f.count(PACE_AT), f.integer(THROTTLES, 0), f.count(UNIT_MS), f.count(EMPTY_SINCE),
                f.rate(PART_RATE), f.count(RATE_FOUND) > 0, f.integer(WAITS, 0));
        // Absent keys (a packet from the Node package, or from before costs were counted) mean nothing spent.
        RelayCost cost = new RelayCost(f.count(COST_HOPS), f.count(COST_LAMBDA), f.count(COST_MB_MS),
                f.count(COST_SQS), f.count(COST_LEDGER), f.count(COST_READS));
        ObjectNode other = JsonNodeFactory.instance.objectNode();
        stats.properties().forEach(e -> {
            if (!KNOWN.contains(e.getKey())) {
                other.set(e.getKey(), e.getValue());
            }
        });
        ObjectNode data = JsonNodeFactory.instance.objectNode();
        for (Map.Entry<String, JsonNode> e : obj.properties()) {
            if (!isReserved(e.getKey())) {
                data.set(e.getKey(), e.getValue());
            }
        }
        return new Parts(header, policy, hopState, cost, other, data);
    }

    /** The packet in the wire layout: {@code QueueUrl}, {@code UUID}, {@code stats}, then the user's keys. */
    static ObjectNode write(Header h, Policy p, HopState s, RelayCost cost, ObjectNode otherStats, ObjectNode data) {
        ObjectNode stats = JsonNodeFactory.instance.objectNode();
        stats.put(SQS_COUNT, h.sqsCount());
        putText(stats, RELAY_ID, h.relayId());
        if (h.hop() > 0 || h.relayId() != null) {
            stats.put(HOP, h.hop());
        }
        if (h.isPart()) {
            if (s.kind() == HopState.Kind.WORK) {
                stats.put(PART, h.part());
            }
            stats.put(PARTS, h.parts());
        }
        putInstant(stats, CREATED_AT, h.createdAt());
        putInstant(stats, DEADLINE, h.deadline());
        putInstant(stats, NOT_BEFORE, h.notBefore());
        putText(stats, DLQ_URL, h.dlqUrl());
        putText(stats, FUNCTION, h.function());
        putPositive(stats, MAX_HOPS, p.maxHops());
        putPositive(stats, MAX_IDLE_HOPS, p.maxIdleHops());
        putPositive(stats, MAX_RECEIVE, p.maxReceive());
        putPositive(stats, TOLERATED, p.toleratedFailures());
        if (p.rate() > 0) {
            stats.put(RATE, p.rate());
        }
        putPositive(stats, CONCURRENCY, p.concurrency());
        if (p.adaptive()) {
            stats.put(ADAPTIVE_RATE, 1L);
        }
        if (p.endsWhenDeadLettered()) {
            stats.put(END_WHEN_DEAD_LETTERED, 1L);
        }
        if (p.pooled()) {
            stats.put(POOLED, 1L);
        }
        putPositive(stats, IDLE_HOPS, s.idleHops());
        putPositive(stats, PACE_AT, s.paceAt());
        putPositive(stats, THROTTLES, s.throttles());
        putPositive(stats, UNIT_MS, s.unitMs());
        if (s.kind() == HopState.Kind.WATCHDOG) {
            stats.put(WATCHDOG, 1L);
        }
        putPositive(stats, EMPTY_SINCE, s.emptySince());
        if (s.partRate() > 0) {
            stats.put(PART_RATE, s.partRate());
        }
        if (s.rateFound()) {
            stats.put(RATE_FOUND, 1L);
        }
        putPositive(stats, WAITS, s.waits());
        putPositive(stats, COST_HOPS, cost.hops());
        putPositive(stats, COST_LAMBDA, cost.lambdaRequests());
        putPositive(stats, COST_MB_MS, cost.lambdaMbMillis());
        putPositive(stats, COST_SQS, cost.sqsRequests());
        putPositive(stats, COST_LEDGER, cost.ledgerWrites());
        putPositive(stats, COST_READS, cost.ledgerReads());
        stats.setAll(otherStats);
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        root.put(QUEUE_URL, h.queueUrl());
        root.put(UUID, h.mappingUuid());
        root.set(STATS, stats);
        root.setAll(data);
        return root;
    }

    static boolean isReserved(String key) {
        return QUEUE_URL.equals(key) || UUID.equals(key) || STATS.equals(key);
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
            default: return t.name().toLowerCase(Locale.ROOT);
        }
    }

    private static void putText(ObjectNode stats, String key, String value) {
        if (value != null) {
            stats.put(key, value);
        }
    }

    private static void putInstant(ObjectNode stats, String key, Instant value) {
        if (value != null) {
            stats.put(key, value.toEpochMilli());
        }
    }

    private static void putPositive(ObjectNode stats, String key, long value) {
        if (value > 0) {
            stats.put(key, value);
        }
    }

    private static String requiredText(ObjectNode obj, String key, String messageId) {
        JsonNode v = obj.get(key);
        if (v == null || v.isNull()) {
            throw invalid(Reason.MISSING_KEY, "relay packet has no '" + key + "'; it was not created by Relay.setup "
                    + "(or the Node package's setup)", messageId);
        }
        if (!v.isTextual() || v.textValue().isBlank()) {
            throw invalid(Reason.WRONG_TYPE, "relay packet '" + key + "' must be a non-empty string, got "
                    + typeName(v), messageId);
        }
        return v.textValue();
    }

    private static InvalidPacketException invalid(Reason reason, String message, String messageId) {
        return new InvalidPacketException(reason, message, messageId, null);
    }

    /** Typed, validated reads of the {@code stats} object. */
    private static final class Fields {
        private final ObjectNode stats;
        private final String messageId;

        Fields(ObjectNode stats, String messageId) {
            this.stats = stats;
            this.messageId = messageId;
        }

        private JsonNode present(String key) {
            JsonNode v = stats.get(key);
            return v == null || v.isNull() ? null : v;
        }

        long count(String key) {
            JsonNode v = present(key);
            if (v == null) {
                return 0;
            }
            if (!v.isIntegralNumber() || !v.canConvertToLong()) {
                throw invalid(Reason.WRONG_TYPE, "relay packet 'stats." + key + "' must be a whole number, got "
                        + typeName(v), messageId);
            }
            if (v.longValue() < 0) {
                throw invalid(Reason.INVALID_VALUE, "relay packet 'stats." + key + "' must not be negative, got "
                        + v.longValue(), messageId);
            }
            return v.longValue();
        }

        int integer(String key, int dflt) {
            if (present(key) == null) {
                return dflt;
            }
            long v = count(key);
            if (v > Integer.MAX_VALUE) {
                throw invalid(Reason.INVALID_VALUE, "relay packet 'stats." + key + "' must be at most "
                        + Integer.MAX_VALUE + ", got " + v, messageId);
            }
            return (int) v;
        }

        Instant instant(String key) {
            return present(key) == null ? null : Instant.ofEpochMilli(count(key));
        }

        String text(String key) {
            JsonNode v = present(key);
            if (v != null && !v.isTextual()) {
                throw invalid(Reason.WRONG_TYPE, "relay packet 'stats." + key + "' must be a string, got "
                        + typeName(v), messageId);
            }
            return v == null ? null : v.textValue();
        }

        double rate(String key) {
            JsonNode v = present(key);
            if (v == null) {
                return 0;
            }
            if (!v.isNumber() || !(v.doubleValue() > 0) || Double.isInfinite(v.doubleValue())) {
                throw invalid(Reason.INVALID_VALUE, "relay packet 'stats." + key + "' must be a positive number",
                        messageId);
            }
            return v.doubleValue();
        }
    }
}
