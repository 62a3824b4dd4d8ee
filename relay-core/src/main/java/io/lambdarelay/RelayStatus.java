package io.lambdarelay;

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
 * @param cost what the relay's finished parts (or its ended chain) spent, from the ledger; empty
 *     without one, or with one that keeps no costs. Parts still running are not in it: their cost
 *     travels in their packets until they finish
 */
public record RelayStatus(RelaySummary relay, long visible, long inFlight, long delayed, long deadLettered,
        List<Mapping> mappings, OptionalLong partsDone, OptionalLong partsFailed, OptionalLong units,
        Optional<RelayCost> cost) {

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
     * @param cost what the finished parts spent, from the ledger
     */
    public RelayStatus {
        mappings = List.copyOf(mappings);
        Objects.requireNonNull(cost, "cost");
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
                Optional.empty());
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
