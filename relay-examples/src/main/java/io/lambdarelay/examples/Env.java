package io.lambdarelay.examples;

import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Reads a handler's settings from its environment variables, as a Lambda function gets them from
 * its template. Immutable and thread-safe.
 */
public final class Env {
    private final Map<String, String> vars;

    private Env(Map<String, String> vars) {
        this.vars = Map.copyOf(vars);
    }

    /**
     * The process environment.
     *
     * @return the environment of this process
     */
    public static Env system() {
        return new Env(System.getenv());
    }

    /**
     * A given set of variables, for tests.
     *
     * @param vars the variables
     * @return an environment holding them
     */
    public static Env of(Map<String, String> vars) {
        return new Env(Objects.requireNonNull(vars, "vars"));
    }

    /**
     * Reads a required variable.
     *
     * @param name the variable
     * @return its value
     * @throws IllegalStateException if it is unset or blank
     */
    public String require(String name) {
        String v = vars.get(name);
        if (v == null || v.isBlank()) {
            throw new IllegalStateException("environment variable " + name + " is not set; the function's template "
                    + "must set it (see relay-examples/README.md)");
        }
        return v;
    }

    /**
     * Reads an optional variable.
     *
     * @param name the variable
     * @param defaultValue the value when unset or blank
     * @return its value or the default
     */
    public String get(String name, String defaultValue) {
        String v = vars.get(name);
        return v == null || v.isBlank() ? defaultValue : v;
    }

    /**
     * Reads an optional whole number.
     *
     * @param name the variable
     * @param defaultValue the value when unset or blank
     * @return the number
     * @throws IllegalStateException if it is set but not a whole number
     */
    public long getLong(String name, long defaultValue) {
        return parse(name, defaultValue, Long::parseLong);
    }

    /**
     * Reads an optional decimal number.
     *
     * @param name the variable
     * @param defaultValue the value when unset or blank
     * @return the number
     * @throws IllegalStateException if it is set but not a number
     */
    public double getDouble(String name, double defaultValue) {
        return parse(name, defaultValue, Double::parseDouble);
    }

    private <T> T parse(String name, T defaultValue, Function<String, T> parser) {
        String v = vars.get(name);
        if (v == null || v.isBlank()) {
            return defaultValue;
        }
        try {
            return parser.apply(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalStateException("environment variable " + name + " must be a number, got '" + v + "'", e);
        }
    }
}
