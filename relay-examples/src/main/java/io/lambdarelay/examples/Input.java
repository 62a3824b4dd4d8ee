package io.lambdarelay.examples;

import java.util.Map;

/** Reads numbers from a start handler's JSON input, which Lambda hands over as a map. */
public final class Input {
    private Input() {
    }

    /**
     * Reads a whole number.
     *
     * @param input the handler's input, may be {@code null}
     * @param key the key
     * @param defaultValue the value when the key is absent or null
     * @return the number
     * @throws IllegalArgumentException if the value is not a whole number
     */
    public static long longValue(Map<String, ?> input, String key, long defaultValue) {
        Object v = input == null ? null : input.get(key);
        if (v == null) {
            return defaultValue;
        }
        if (v instanceof Number && ((Number) v).doubleValue() == ((Number) v).longValue()) {
            return ((Number) v).longValue();
        }
        try {
            return Long.parseLong(v.toString().trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("input '" + key + "' must be a whole number, got '" + v + "'", e);
        }
    }

    /**
     * Reads a decimal number.
     *
     * @param input the handler's input, may be {@code null}
     * @param key the key
     * @param defaultValue the value when the key is absent or null
     * @return the number
     * @throws IllegalArgumentException if the value is not a number
     */
    public static double doubleValue(Map<String, ?> input, String key, double defaultValue) {
        Object v = input == null ? null : input.get(key);
        if (v == null) {
            return defaultValue;
        }
        if (v instanceof Number) {
            return ((Number) v).doubleValue();
        }
        try {
            return Double.parseDouble(v.toString().trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("input '" + key + "' must be a number, got '" + v + "'", e);
        }
    }
}
