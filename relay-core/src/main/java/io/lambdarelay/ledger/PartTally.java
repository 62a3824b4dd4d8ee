package io.lambdarelay.ledger;

/**
 * A fan-out relay's counts at one moment: parts done, parts failed, units processed.
 *
 * @param done parts finished successfully
 * @param failed parts that gave up (their packets are in the dead-letter queue)
 * @param units units processed across all parts
 */
public record PartTally(long done, long failed, long units) {

    /**
     * Checks the counts.
     *
     * @param done parts finished successfully
     * @param failed parts that gave up
     * @param units units processed across all parts
     * @throws IllegalArgumentException if a count is negative
     */
    public PartTally {
        if (done < 0 || failed < 0 || units < 0) {
            throw new IllegalArgumentException("tally counts must not be negative, got done=" + done + ", failed="
                    + failed + ", units=" + units);
        }
    }

    /** {@return the parts finished either way: done plus failed} */
    public long finished() {
        return done + failed;
    }
}
