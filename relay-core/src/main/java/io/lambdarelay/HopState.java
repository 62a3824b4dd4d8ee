package io.lambdarelay;

/**
 * What one hop tells the next: what kind of packet this is, hops without progress, the pace mark
 * of a rate-limited part (and its share of an adaptive limit), throttles in a row, the longest
 * unit seen (the budget's hint), and for the drain watchdog since when the queue looked empty.
 *
 * @param kind a packet with work, or the drain watchdog of a fan-out without a ledger
 * @param idleHops hops in a row that completed no unit
 * @param paceAt epoch millis before which a paced part's next unit must not start, 0 if none
 * @param throttles throttled hand-offs in a row
 * @param unitMs the longest unit of the last invocation, in millis
 * @param emptySince epoch millis since the watchdog saw the queue empty, 0 if not
 * @param partRate an adaptive rate limit's current share of this part, units per second; 0 before it is set
 * @param rateFound whether this part's adaptive share was ever throttled (its slow start is over)
 * @param waits times in a row a pooled relay's packet came back to find its relay paused or parked
 */
record HopState(Kind kind, long idleHops, long paceAt, int throttles, long unitMs, long emptySince, double partRate,
        boolean rateFound, int waits) {

    /** What a packet carries. */
    enum Kind {
        /** A chain or a part: units to run. */
        WORK,
        /** The drain watchdog of a fan-out without a ledger: no units, only checks. */
        WATCHDOG
    }

    /** The state of a packet with work that no worker has seen yet. */
    static final HopState START = new HopState(Kind.WORK, 0, 0, 0, 0, 0, 0, false, 0);

    HopState withKind(Kind kind) {
        return new HopState(kind, idleHops, paceAt, throttles, unitMs, emptySince, partRate, rateFound, waits);
    }

    HopState withIdleHops(long idleHops) {
        return new HopState(kind, idleHops, paceAt, throttles, unitMs, emptySince, partRate, rateFound, waits);
    }

    HopState withPaceAt(long paceAt) {
        return new HopState(kind, idleHops, paceAt, throttles, unitMs, emptySince, partRate, rateFound, waits);
    }

    HopState withThrottles(int throttles) {
        return new HopState(kind, idleHops, paceAt, throttles, unitMs, emptySince, partRate, rateFound, waits);
    }

    HopState withUnitMs(long unitMs) {
        return new HopState(kind, idleHops, paceAt, throttles, unitMs, emptySince, partRate, rateFound, waits);
    }

    HopState withEmptySince(long emptySince) {
        return new HopState(kind, idleHops, paceAt, throttles, unitMs, emptySince, partRate, rateFound, waits);
    }

    HopState withPartRate(double partRate, boolean rateFound) {
        return new HopState(kind, idleHops, paceAt, throttles, unitMs, emptySince, partRate, rateFound, waits);
    }

    HopState withWaits(int waits) {
        return new HopState(kind, idleHops, paceAt, throttles, unitMs, emptySince, partRate, rateFound, waits);
    }
}
