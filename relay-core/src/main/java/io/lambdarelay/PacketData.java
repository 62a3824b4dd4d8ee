package io.lambdarelay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lambdarelay.InvalidPacketException.Reason;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The user's part of a {@link RelayPacket}: every top-level key but the reserved ones, read and
 * written with typed methods that name the key and both types when a value does not fit. A
 * separate class only to keep each file short; users see these methods on {@code RelayPacket}.
 */
abstract class PacketData {
    final ObjectNode data;
    /** The relay's value mapper, for {@code putObject} and {@code get(key, Type.class)}. */
    private final ValueCodec values;

    PacketData(ObjectNode data, ValueCodec values) {
        this.data = data;
        this.values = values;
    }

    /** {@return the value mapper this packet reads and writes objects with} */
    ValueCodec values() {
        return values;
    }

    /** {@return this packet, for chained puts} */
    abstract RelayPacket self();

    /**
     * Sets a string value.
     *
     * @param key a user key, not reserved
     * @param value the value; {@code null} stores JSON null
     * @return this packet
     * @throws IllegalArgumentException if the key is reserved ({@code QueueUrl}, {@code UUID}, {@code stats})
     * @throws NullPointerException if the key is {@code null}
     */
    public RelayPacket put(String key, String value) {
        data.put(userKey(key), value);
        return self();
    }

    /**
     * Sets a whole-number value.
     *
     * @param key a user key, not reserved
     * @param value the value
     * @return this packet
     * @throws IllegalArgumentException if the key is reserved ({@code QueueUrl}, {@code UUID}, {@code stats})
     * @throws NullPointerException if the key is {@code null}
     */
    public RelayPacket put(String key, long value) {
        data.put(userKey(key), value);
        return self();
    }

    /**
     * Sets a decimal value.
     *
     * @param key a user key, not reserved
     * @param value a finite value
     * @return this packet
     * @throws IllegalArgumentException if the key is reserved ({@code QueueUrl}, {@code UUID}, {@code stats}), or
     *     the value is NaN or infinite (JSON has neither)
     * @throws NullPointerException if the key is {@code null}
     */
    public RelayPacket put(String key, double value) {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException("packet value for '" + key + "' must be finite (JSON has no "
                    + "NaN or Infinity), got " + value);
        }
        data.put(userKey(key), value);
        return self();
    }

    /**
     * Sets an exact decimal value.
     *
     * @param key a user key, not reserved
     * @param value the value; {@code null} stores JSON null
     * @return this packet
     * @throws IllegalArgumentException if the key is reserved ({@code QueueUrl}, {@code UUID}, {@code stats})
     * @throws NullPointerException if the key is {@code null}
     */
    public RelayPacket put(String key, BigDecimal value) {
        data.put(userKey(key), value);
        return self();
    }

    /**
     * Sets a boolean value.
     *
     * @param key a user key, not reserved
     * @param value the value
     * @return this packet
     * @throws IllegalArgumentException if the key is reserved ({@code QueueUrl}, {@code UUID}, {@code stats})
     * @throws NullPointerException if the key is {@code null}
     */
    public RelayPacket put(String key, boolean value) {
        data.put(userKey(key), value);
        return self();
    }

    /**
     * Sets any value the relay's value mapper can write as JSON: a record, a bean with getters, a
     * list, a map or an array of them, or a {@code java.time} value (written as ISO-8601 text, such
     * as {@code "2026-12-01T10:15:30Z"} or {@code "PT1H30M"}). The value is written at once, so
     * changing the object afterwards does not change the packet. The mapper is the one given to
     * {@link Relay.Builder#valueMapper}, or the library's; a packet read with
     * {@link RelayPacket#fromJson} uses the library's.
     *
     * <p>A packet refuses machinery and open resources, at any depth: threads, {@code Class} and
     * class loaders, the Lambda {@code Context}, executors, futures and locks, iterators and
     * streams, and anything {@link AutoCloseable} (I/O streams, sockets, clients, connections).
     *
     * @param key a user key, not reserved
     * @param value the value; {@code null} stores JSON null
     * @return this packet
     * @throws InvalidPacketException ({@link InvalidPacketException.Reason#UNWRITABLE_VALUE}) naming the key
     *     and the value's type, never its content, if the value cannot be written: a refused type,
     *     a value that refers to itself or nests deeper than 63 levels, a type with no JSON form
     *     (such as {@code new Object()}), a getter that throws, or over 1 MiB of JSON; the packet is
     *     unchanged
     * @throws IllegalArgumentException if the key is reserved ({@code QueueUrl}, {@code UUID}, {@code stats})
     * @throws NullPointerException if the key is {@code null}
     */
    public RelayPacket putObject(String key, Object value) {
        String k = userKey(key);
        data.set(k, values.toTree(k, value));
        return self();
    }

    /**
     * Tells whether a user key is present.
     *
     * @param key the key
     * @return {@code true} if present, even when its value is JSON null; {@code false} for a
     *     {@code null} key
     */
    public boolean has(String key) {
        return data.has(key);
    }

    /**
     * Removes a user key.
     *
     * @param key the key
     * @return this packet
     * @throws IllegalArgumentException if the key is reserved ({@code QueueUrl}, {@code UUID}, {@code stats})
     * @throws NullPointerException if the key is {@code null}
     */
    public RelayPacket remove(String key) {
        data.remove(userKey(key));
        return self();
    }

    /**
     * Returns the user keys, in insertion order.
     *
     * @return an unmodifiable snapshot of the keys
     */
    public Set<String> keys() {
        List<String> keys = new ArrayList<>();
        data.fieldNames().forEachRemaining(keys::add);
        return Collections.unmodifiableSet(new LinkedHashSet<>(keys));
    }

    /**
     * Returns a string value.
     *
     * @param key the key
     * @return the value, or {@code null} if absent or JSON null
     * @throws InvalidPacketException if the value is not a string
     * @throws NullPointerException if the key is {@code null}
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
     * @throws NullPointerException if the key is {@code null}
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
     * @throws NullPointerException if the key is {@code null}
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
     * @throws NullPointerException if the key is {@code null}
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
     * @throws NullPointerException if the key is {@code null}
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
     * @throws NullPointerException if the key is {@code null}
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
     * @throws NullPointerException if the key is {@code null}
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
     * Converts a value to the given type with the relay's value mapper (see
     * {@link #putObject(String, Object)}), with no polymorphic typing unless that mapper was given
     * it. Each call makes a new object.
     *
     * @param key the key
     * @param type the target type, such as a record, {@code java.time.Instant} or {@code Map.class}
     * @param <T> the target type
     * @return the value, or {@code null} if absent or JSON null
     * @throws InvalidPacketException ({@link InvalidPacketException.Reason#WRONG_TYPE}) naming the key and the
     *     target type, never the value, if the value does not convert to the type, or the type is
     *     one a packet refuses (see {@link #putObject(String, Object)})
     * @throws NullPointerException if the key or the type is {@code null}
     */
    public <T> T get(String key, Class<T> type) {
        Objects.requireNonNull(type, "type");
        JsonNode v = value(key);
        if (v == null) {
            return null;
        }
        return values.fromTree(key, v, type);
    }

    private JsonNode value(String key) {
        JsonNode v = data.get(Objects.requireNonNull(key, "key"));
        return v == null || v.isNull() ? null : v;
    }

    private static InvalidPacketException wrongType(String key, String expected, JsonNode actual) {
        return new InvalidPacketException(Reason.WRONG_TYPE,
                "packet key '" + key + "' holds " + ControlCodec.typeName(actual) + ", expected " + expected, null, null);
    }

    private static String userKey(String key) {
        Objects.requireNonNull(key, "key");
        if (ControlCodec.isReserved(key)) {
            throw new IllegalArgumentException("packet key '" + key
                    + "' is reserved by the relay (QueueUrl, UUID, stats); choose another key");
        }
        return key;
    }
}
