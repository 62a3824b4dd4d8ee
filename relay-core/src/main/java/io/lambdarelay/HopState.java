package io.lambdarelay;

/**
 * What one hop tells the next: what kind of packet this is, hops without progress, the pace mark
 * of a rate-limited part, throttles in a row, the longest unit seen (the budget's hint), and for
 * the drain watchdog since when the queue looked empty.
 *
 * @param kind a packet with work, or the drain watchdog of a fan-out without a ledger
 * @param idleHops hops in a row that completed no unit
 * @param paceAt epoch millis before which a paced part's next unit must not start, 0 if none
 * @param throttles throttled hand-offs in a row
 * @param unitMs the longest unit of the last invocation, in millis
 * @param emptySince epoch millis since the watchdog saw the queue empty, 0 if not
 */
record HopState(Kind kind, long idleHops, long paceAt, int throttles, long unitMs, long emptySince) {

    /** What a packet carries. */
    enum Kind {
        /** A chain or a part: units to run. */
        WORK,
        /** The drain watchdog of a fan-out without a ledger: no units, only checks. */
        WATCHDOG
    }

    /** The state of a packet with work that no worker has seen yet. */
    static final HopState START = new HopState(Kind.WORK, 0, 0, 0, 0, 0);

    HopState withKind(Kind kind) {
        return new HopState(kind, idleHops, paceAt, throttles, unitMs, emptySince);
    }

    HopState withIdleHops(long idleHops) {
        return new HopState(kind, idleHops, paceAt, throttles, unitMs, emptySince);
    }

    HopState withPaceAt(long paceAt) {
        return new HopState(kind, idleHops, paceAt, throttles, unitMs, emptySince);
    }

    HopState withThrottles(int throttles) {
        return new HopState(kind, idleHops, paceAt, throttles, unitMs, emptySince);
    }

    HopState withUnitMs(long unitMs) {
        return new HopState(kind, idleHops, paceAt, throttles, unitMs, emptySince);
    }

    HopState withEmptySince(long emptySince) {
        return new HopState(kind, idleHops, paceAt, throttles, unitMs, emptySince);
    }
}
