package io.lambdarelay;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A relay's status, as {@link RelayControl#status(String)} reads it. The message counts are SQS's
 * approximate counts, which may lag by up to a minute; the tally needs a ledger.
 *
 * @param relay the relay and its state
 * @param visible packets waiting in the relay queue, -1 once it is gone
 * @param inFlight packets being worked on (received, not yet deleted), -1 once the queue is gone
 * @param delayed packets passed with a delay, not yet visible, -1 once the queue is gone
 * @param deadLettered packets in the dead-letter queue, -1 without one
 * @param mappings the event-source mappings that read the relay queue
 * @param partsDone parts finished, from the ledger; empty without one
 * @param partsFailed parts that gave up, from the ledger; empty without one
 * @param units units processed across all parts, from the ledger; empty without one
 * @param cost what the relay spent up to its hops' latest hand-offs, across all its parts, from the
 *     ledger (its {@link RelayCost#hops()} are the hops so far); empty without one, or with one
 *     that keeps no costs. The hop running now is not in it until it hands off
 * @param lastHop when the relay last recorded a hop's progress in the ledger (a worker's clock);
 *     empty without a ledger, or before its first hand-off
 */
public record RelayStatus(RelaySummary relay, long visible, long inFlight, long delayed, long deadLettered,
        List<Mapping> mappings, OptionalLong partsDone, OptionalLong partsFailed, OptionalLong units,
        Optional<RelayCost> cost, Optional<Instant> lastHop) {

    /**
     * Copies the list of mappings.
     *
     * @param relay the relay and its state
     * @param visible packets waiting, -1 once the queue is gone
     * @param inFlight packets being worked on, -1 once the queue is gone
     * @param delayed packets passed with a delay, -1 once the queue is gone
     * @param deadLettered packets in the dead-letter queue, -1 without one
     * @param mappings the mappings that read the relay queue
     * @param partsDone parts finished, from the ledger
     * @param partsFailed parts that gave up, from the ledger
     * @param units units processed, from the ledger
     * @param cost what the relay spent so far, from the ledger
     * @param lastHop when the relay last recorded a hop, from the ledger
     */
    public RelayStatus {
        mappings = List.copyOf(mappings);
        Objects.requireNonNull(cost, "cost");
        Objects.requireNonNull(lastHop, "lastHop");
    }

    /**
     * A status without the time of the last hop, as before the ledger kept it.
     *
     * @param relay the relay and its state
     * @param visible packets waiting, -1 once the queue is gone
     * @param inFlight packets being worked on, -1 once the queue is gone
     * @param delayed packets passed with a delay, -1 once the queue is gone
     * @param deadLettered packets in the dead-letter queue, -1 without one
     * @param mappings the mappings that read the relay queue
     * @param partsDone parts finished, from the ledger
     * @param partsFailed parts that gave up, from the ledger
     * @param units units processed, from the ledger
     * @param cost what the relay spent so far, from the ledger
     */
    public RelayStatus(RelaySummary relay, long visible, long inFlight, long delayed, long deadLettered,
            List<Mapping> mappings, OptionalLong partsDone, OptionalLong partsFailed, OptionalLong units,
            Optional<RelayCost> cost) {
        this(relay, visible, inFlight, delayed, deadLettered, mappings, partsDone, partsFailed, units, cost,
                Optional.empty());
    }

    /** {@return the hops the relay's chain or parts made so far, from the ledger's cost; empty without it} */
    public OptionalLong hops() {
        return cost.map(c -> OptionalLong.of(c.hops())).orElse(OptionalLong.empty());
    }

    /**
     * A status without a cost, as before costs were counted.
     *
     * @param relay the relay and its state
     * @param visible packets waiting, -1 once the queue is gone
     * @param inFlight packets being worked on, -1 once the queue is gone
     * @param delayed packets passed with a delay, -1 once the queue is gone
     * @param deadLettered packets in the dead-letter queue, -1 without one
     * @param mappings the mappings that read the relay queue
     * @param partsDone parts finished, from the ledger
     * @param partsFailed parts that gave up, from the ledger
     * @param units units processed, from the ledger
     */
    public RelayStatus(RelaySummary relay, long visible, long inFlight, long delayed, long deadLettered,
            List<Mapping> mappings, OptionalLong partsDone, OptionalLong partsFailed, OptionalLong units) {
        this(relay, visible, inFlight, delayed, deadLettered, mappings, partsDone, partsFailed, units,
                Optional.empty(), Optional.empty());
    }

    /**
     * An event-source mapping of the relay.
     *
     * @param uuid its id
     * @param state as Lambda reports it: {@code Enabled}, {@code Disabled}, {@code Deleting} ...
     */
    public record Mapping(String uuid, String state) {
    }
}
