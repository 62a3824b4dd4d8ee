package io.lambdarelay;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lambdarelay.InvalidPacketException.Reason;
import io.lambdarelay.internal.PacketCodec;
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

    PacketData(ObjectNode data) {
        this.data = data;
    }

    /** {@return this packet, for chained puts} */
    abstract RelayPacket self();

    /**
     * Sets a string value.
     *
     * @param key a user key, not reserved
     * @param value the value; {@code null} stores JSON null
     * @return this packet
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
     */
    public RelayPacket put(String key, boolean value) {
        data.put(userKey(key), value);
        return self();
    }

    /**
     * Sets any value Jackson can turn into JSON: a list, a map, a record or bean.
     *
     * @param key a user key, not reserved
     * @param value the value; {@code null} stores JSON null
     * @return this packet
     */
    public RelayPacket putObject(String key, Object value) {
        data.set(userKey(key), PacketCodec.valueToTree(value));
        return self();
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
            return PacketCodec.treeToValue(v, type);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new InvalidPacketException(Reason.WRONG_TYPE, "packet key '" + key + "' holds " + ControlCodec.typeName(v)
                    + " that does not convert to " + type.getName(), null, null);
        }
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
