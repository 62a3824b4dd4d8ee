package io.lambdarelay;

import io.lambdarelay.ledger.PartTally;
import java.time.Instant;

/**
 * The rules by which a worker ends a relay on its own, each a value describing why (or
 * {@code null} when the rule holds). Stateless.
 */
final class Guards {
    private Guards() {
    }

    static RelayFailure deadline(RelayPacket pkt, Instant now) {
        Instant deadline = pkt.header().deadline();
        return deadline == null || !now.isAfter(deadline) ? null : new RelayFailure(RelayFailure.Reason.DEADLINE,
                pkt.relayId(), "relay " + pkt.relayId() + " passed its deadline " + deadline + " at hop " + pkt.hop());
    }

    static RelayFailure maxHops(RelayPacket pkt) {
        long max = pkt.policy().maxHops();
        return max <= 0 || pkt.hop() <= max ? null : new RelayFailure(RelayFailure.Reason.MAX_HOPS, pkt.relayId(),
                "relay " + pkt.relayId() + " part " + pkt.part() + " reached hop " + pkt.hop() + ", over its limit of "
                        + max);
    }

    static RelayFailure noProgress(RelayPacket pkt, long idleHops) {
        long max = pkt.policy().maxIdleHops();
        return max <= 0 || idleHops <= max ? null : new RelayFailure(RelayFailure.Reason.NO_PROGRESS, pkt.relayId(),
                "relay " + pkt.relayId() + " part " + pkt.part() + " completed no unit in " + idleHops + " hops in a "
                        + "row (limit " + max + "); is the worker's timeout too short for one unit?");
    }

    static RelayFailure deadLettered(RelayPacket pkt, long receiveCount) {
        return new RelayFailure(RelayFailure.Reason.DEAD_LETTERED, pkt.relayId(), "relay " + pkt.relayId()
                + " failed: its packet at hop " + pkt.hop() + " failed " + receiveCount + " time(s) and is in the "
                + "dead-letter queue");
    }

    static RelayFailure tooManyFailedParts(RelayPacket pkt, PartTally tally) {
        long tolerated = pkt.policy().toleratedFailures();
        return tally.failed() <= tolerated ? null : new RelayFailure(RelayFailure.Reason.TOO_MANY_FAILED_PARTS,
                pkt.relayId(), "relay " + pkt.relayId() + ": " + tally.failed() + " of " + pkt.partCount()
                        + " parts failed, more than the " + tolerated + " tolerated");
    }
}
