package io.lambdarelay.local.internal;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.zip.CRC32;

/**
 * The hop counts that Lambda's recursive-loop detection keeps in the {@code Lineage} field of the
 * X-Ray trace header: one {@code hash:count} entry per function, entries joined by {@code |}.
 * Immutable.
 */
public final class Lineage {

    /** The trace header's name as a message system attribute. */
    public static final String TRACE_HEADER_ATTRIBUTE = "AWSTraceHeader";

    private static final Lineage EMPTY = new Lineage(Map.of());

    private final Map<String, Integer> counts;

    private Lineage(Map<String, Integer> counts) {
        this.counts = counts;
    }

    /** Returns the lineage with no hops. */
    public static Lineage empty() {
        return EMPTY;
    }

    /**
     * Reads the lineage from an X-Ray trace header; a missing or malformed field gives an empty
     * lineage, as Lambda treats an event it cannot trace as a new chain.
     */
    public static Lineage fromTraceHeader(String header) {
        String value = field(header, "Lineage");
        if (value == null || value.isEmpty()) {
            return EMPTY;
        }
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (String entry : value.split("\\|")) {
            int colon = entry.lastIndexOf(':');
            if (colon <= 0) {
                continue;
            }
            try {
                counts.merge(entry.substring(0, colon), Integer.parseInt(entry.substring(colon + 1)), Math::max);
            } catch (NumberFormatException e) {
                // A foreign entry we cannot read does not stop the chain, it only loses that entry.
            }
        }
        return counts.isEmpty() ? EMPTY : new Lineage(Collections.unmodifiableMap(counts));
    }

    /** The short hash that names a function in the lineage. */
    public static String functionHash(String functionArn) {
        CRC32 crc = new CRC32();
        crc.update(functionArn.getBytes(StandardCharsets.UTF_8));
        return String.format("%08x", crc.getValue());
    }

    /** How many times the chain has passed through the function with this hash. */
    public int count(String functionHash) {
        return counts.getOrDefault(functionHash, 0);
    }

    /** The lineage one hop further through the function with this hash. */
    public Lineage next(String functionHash) {
        Map<String, Integer> next = new LinkedHashMap<>(counts);
        next.merge(functionHash, 1, Integer::sum);
        return new Lineage(Collections.unmodifiableMap(next));
    }

    /** The larger count per function of the two lineages. */
    public Lineage merge(Lineage other) {
        if (other.counts.isEmpty()) {
            return this;
        }
        if (counts.isEmpty()) {
            return other;
        }
        Map<String, Integer> merged = new LinkedHashMap<>(counts);
        other.counts.forEach((k, v) -> merged.merge(k, v, Math::max));
        return new Lineage(Collections.unmodifiableMap(merged));
    }

    /**
     * Writes this lineage into a trace header, keeping the other fields of {@code existing} (or
     * starting a new trace when there is none).
     */
    public String toTraceHeader(String existing) {
        StringBuilder header = new StringBuilder();
        if (existing == null || existing.isBlank()) {
            header.append("Root=").append(newRoot()).append(";Sampled=0");
        } else {
            for (String part : existing.split(";")) {
                if (!part.isBlank() && !part.trim().startsWith("Lineage=")) {
                    if (header.length() > 0) {
                        header.append(';');
                    }
                    header.append(part.trim());
                }
            }
        }
        if (!counts.isEmpty()) {
            header.append(";Lineage=");
            StringBuilder entries = new StringBuilder();
            counts.forEach((hash, count) -> {
                if (entries.length() > 0) {
                    entries.append('|');
                }
                entries.append(hash).append(':').append(count);
            });
            header.append(entries);
        }
        return header.toString();
    }

    private static String field(String header, String name) {
        if (header == null) {
            return null;
        }
        for (String part : header.split(";")) {
            String p = part.trim();
            if (p.startsWith(name + "=")) {
                return p.substring(name.length() + 1);
            }
        }
        return null;
    }

    private static String newRoot() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return String.format("1-%08x-%08x%016x", System.currentTimeMillis() / 1000,
                random.nextInt(), random.nextLong());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Lineage && ((Lineage) o).counts.equals(counts);
    }

    @Override
    public int hashCode() {
        return counts.hashCode();
    }

    @Override
    public String toString() {
        return "Lineage" + counts;
    }
}
