package io.lambdarelay;

import java.util.Objects;

/**
 * Counts of a relay's parts and units, as a {@link RelayLedger} holds them. Immutable and
 * thread-safe.
 */
public final class PartTally {
    private final long done;
    private final long failed;
    private final long units;

    /**
     * Creates a tally.
     *
     * @param done parts finished successfully
     * @param failed parts that gave up
     * @param units units processed across all parts
     */
    public PartTally(long done, long failed, long units) {
        if (done < 0 || failed < 0 || units < 0) {
            throw new IllegalArgumentException("tally counts must not be negative, got done=" + done + ", failed="
                    + failed + ", units=" + units);
        }
        this.done = done;
        this.failed = failed;
        this.units = units;
    }

    /**
     * Returns the parts finished successfully.
     *
     * @return the count
     */
    public long done() {
        return done;
    }

    /**
     * Returns the parts that gave up.
     *
     * @return the count
     */
    public long failed() {
        return failed;
    }

    /**
     * Returns the parts finished either way.
     *
     * @return done plus failed
     */
    public long finished() {
        return done + failed;
    }

    /**
     * Returns the units processed across all parts.
     *
     * @return the count
     */
    public long units() {
        return units;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof PartTally)) {
            return false;
        }
        PartTally t = (PartTally) o;
        return done == t.done && failed == t.failed && units == t.units;
    }

    @Override
    public int hashCode() {
        return Objects.hash(done, failed, units);
    }

    @Override
    public String toString() {
        return "PartTally{done=" + done + ", failed=" + failed + ", units=" + units + "}";
    }
}
