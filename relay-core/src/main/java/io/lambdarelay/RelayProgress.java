package io.lambdarelay;

/**
 * A snapshot of a relay's progress: parts done and failed and units processed (from the ledger),
 * and packets waiting in the queues (from SQS's approximate counts). Immutable and thread-safe.
 */
public final class RelayProgress {
    private final int parts;
    private final long done;
    private final long failed;
    private final long units;
    private final long queued;
    private final long deadLettered;

    RelayProgress(int parts, long done, long failed, long units, long queued, long deadLettered) {
        this.parts = parts;
        this.done = done;
        this.failed = failed;
        this.units = units;
        this.queued = queued;
        this.deadLettered = deadLettered;
    }

    /**
     * Returns the relay's part count.
     *
     * @return parts, 1 for a chain
     */
    public int parts() {
        return parts;
    }

    /**
     * Returns the parts finished successfully.
     *
     * @return the count, or -1 without a ledger
     */
    public long done() {
        return done;
    }

    /**
     * Returns the parts that gave up.
     *
     * @return the count from the ledger, or -1 without one
     */
    public long failed() {
        return failed;
    }

    /**
     * Returns the units processed across all parts.
     *
     * @return the count, or -1 without a ledger
     */
    public long units() {
        return units;
    }

    /**
     * Returns the packets in the relay queue: visible, in flight and delayed (approximate).
     *
     * @return the count, or -1 if the queue is gone
     */
    public long queued() {
        return queued;
    }

    /**
     * Returns the messages in the dead-letter queue (approximate).
     *
     * @return the count, or -1 if unknown or gone
     */
    public long deadLettered() {
        return deadLettered;
    }

    @Override
    public String toString() {
        return "RelayProgress{parts=" + parts + ", done=" + done + ", failed=" + failed + ", units=" + units
                + ", queued=" + queued + ", deadLettered=" + deadLettered + "}";
    }
}
