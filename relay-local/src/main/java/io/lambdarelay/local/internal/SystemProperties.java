package io.lambdarelay.local.internal;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Sets Java system properties for a while and puts back what was there before: how
 * {@code LocalAws} and {@code StubEndpoint} point clients built with SDK defaults at themselves.
 */
public final class SystemProperties {
    private SystemProperties() {
    }

    /**
     * Sets the properties.
     *
     * @param wanted the properties to set
     * @return the values they replaced ({@code null} for none), for {@link #restore(Map)}
     */
    public static Map<String, String> set(Map<String, String> wanted) {
        Map<String, String> previous = new LinkedHashMap<>();
        wanted.forEach((k, v) -> {
            previous.put(k, System.getProperty(k));
            System.setProperty(k, v);
        });
        return previous;
    }

    /**
     * Puts back what {@link #set(Map)} replaced; a property that had no value is cleared.
     *
     * @param previous what {@code set} returned
     */
    public static void restore(Map<String, String> previous) {
        previous.forEach((k, v) -> {
            if (v == null) {
                System.clearProperty(k);
            } else {
                System.setProperty(k, v);
            }
        });
    }
}
