package io.lambdarelay.ledger;

import io.lambdarelay.RelayCost;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A store that makes a relay exactly-once at its hand-offs and knows when parallel parts are done.
 *
 * <p>SQS delivers at least once and Lambda retries, so without a ledger a worker that dies after
 * passing its packet is retried and passes it again: from then on two chains do the same work. With
 * a ledger, each hop is claimed before it runs: a redelivery of the same SQS message takes the
 * claim over, while a different message for an already claimed hop is a fork and is acknowledged
 * without work. For fan-out relays the ledger also counts finished and failed parts atomically, so
 * the completion hook and the tear-down run exactly once ({@link #beginCompletion}).
 *
 * <p>Implementations: {@link InMemoryRelayLedger} for tests and the local stack; a DynamoDB one
 * (conditional writes) for AWS. Without a ledger the library is at-least-once. Implementations
 * must be thread-safe and throw {@link LedgerUnavailableException} when the store cannot answer;
 * the worker then fails the record instead of proceeding unguarded.
 */
public interface RelayLedger {

    /** The outcome of {@link #claimHop}. */
    enum Claim {
        /** The hop was not claimed before: run it. */
        CLAIMED,
        /** The same SQS message claimed it before (a redelivery after a crash or timeout): run it again. */
        TAKEN_OVER,
        /** Another message already claimed this hop: a forked chain. Acknowledge without work. */
        FORK
    }

    /**
     * Claims one hop of one part of a relay for an SQS message.
     *
     * @param relayId the relay
     * @param part the part, 0 for a chain
     * @param hop the hop number the received packet carries
     * @param messageId the SQS message id that carried it
     * @return what to do with the packet
     * @throws LedgerUnavailableException if the store cannot answer
     */
    Claim claimHop(String relayId, int part, long hop, String messageId);

    /**
     * Records that a part finished, successfully or not. Idempotent per part: recording the same
     * part again changes nothing and returns the current tally.
     *
     * @param relayId the relay
     * @param part the part
     * @param failed {@code true} if the part gave up (its packet goes to the dead-letter queue)
     * @return the tally after this call
     * @throws LedgerUnavailableException if the store cannot answer
     */
    PartTally finishPart(String relayId, int part, boolean failed);

    /**
     * Adds processed units to the relay's progress count.
     *
     * @param relayId the relay
     * @param units units completed since the last call, zero or more
     * @throws LedgerUnavailableException if the store cannot answer
     */
    void addUnits(String relayId, long units);

    /**
     * Returns the relay's current tally, for progress reports.
     *
     * @param relayId the relay
     * @return the tally; all zero for an unknown relay
     * @throws LedgerUnavailableException if the store cannot answer
     */
    PartTally tally(String relayId);

    /**
     * Takes a part that finished as failed back to running, because its packet was redriven from
     * the dead-letter queue; it counts again when it finishes. A part that finished successfully,
     * or has not finished, is left as it is.
     *
     * @param relayId the relay
     * @param part the part
     * @return the tally after this call
     * @throws LedgerUnavailableException if the store cannot answer
     */
    PartTally reopenPart(String relayId, int part);

    /**
     * How a relay queue names this ledger, in its tag {@code lambda-relay:ledger}, so that
     * operators' tools find the ledger of a relay from its id alone: {@code dynamodb:<table>} for
     * the DynamoDB ledger. At most 256 characters. Default: the class's simple name.
     *
     * @return the description
     */
    default String describe() {
        return getClass().getSimpleName();
    }

    /**
     * Adds to the relay's cost. Default: nothing, for a ledger that keeps no costs.
     *
     * @param relayId the relay
     * @param cost what was spent
     * @throws LedgerUnavailableException if the store cannot answer
     */
    default void addCost(String relayId, RelayCost cost) {
    }

    /**
     * Records a hop's progress in one write: the units it completed, what the relay spent since the
     * previous record of this packet's chain (or part), and when. A worker calls it as it passes a
     * packet on, and as a chain ends or a part finishes, so a running relay's status shows its hops
     * (the cost's {@link RelayCost#hops()}), units, cost and last hop without waiting for its end.
     * A hop that is run again after its invocation died past this call is counted again: the sums
     * are at-least-once. Default: {@link #addUnits} (if any units) and {@link #addCost} (if any
     * cost), without the time; a ledger that keeps progress does it in one write.
     *
     * @param relayId the relay
     * @param units units completed since the previous record, zero or more
     * @param spent what was spent since the previous record
     * @param at when the hop recorded it (the worker's clock)
     * @throws LedgerUnavailableException if the store cannot answer
     */
    default void addProgress(String relayId, long units, RelayCost spent, Instant at) {
        if (units > 0) {
            addUnits(relayId, units);
        }
        if (!spent.isZero()) {
            addCost(relayId, spent);
        }
    }

    /**
     * Returns when the relay last recorded progress ({@link #addProgress}): with many parts
     * running, the time of the latest write. Default: empty, for a ledger that keeps no times.
     *
     * @param relayId the relay
     * @return the time, empty for a relay that recorded none or a ledger that keeps none
     * @throws LedgerUnavailableException if the store cannot answer
     */
    default Optional<Instant> lastProgress(String relayId) {
        return Optional.empty();
    }

    /**
     * Returns the relay's cost so far: the sum of what {@link #addProgress} and {@link #addCost}
     * added, that is what its hops spent up to their latest hand-offs, across all its parts.
     * Default: empty, for a ledger that keeps no costs.
     *
     * @param relayId the relay
     * @return the cost, {@link RelayCost#ZERO} for a relay nothing was added to; empty if this
     *     ledger keeps no costs
     * @throws LedgerUnavailableException if the store cannot answer
     */
    default Optional<RelayCost> cost(String relayId) {
        return Optional.empty();
    }

    /**
     * Whether this ledger keeps pooled relays ({@link #registerPooled} and the calls after it), so
     * that pooled relays can be listed, paused, parked, resumed and cancelled one by one. Default:
     * {@code false}; a pooled relay then runs, but only as its packets know it.
     *
     * @return {@code true} if it keeps them
     */
    default boolean keepsPooledRelays() {
        return false;
    }

    /**
     * Registers a pooled relay, unless it is registered already (a repeated first hop). A worker
     * calls it at the relay's first hop, so that starting a relay stays one {@code SendMessage}.
     * Default: nothing.
     *
     * @param relay the relay, {@link PooledRelay.Control#RUNNING}
     * @return whether this call registered it
     * @throws LedgerUnavailableException if the store cannot answer
     */
    default boolean registerPooled(PooledRelay relay) {
        return false;
    }

    /**
     * Reads a pooled relay. A worker calls it as each packet of a pooled relay arrives, so the read
     * must be strongly consistent: a pause or cancel holds from the next arrival on. Default:
     * empty.
     *
     * @param relayId the relay's id
     * @return the relay, or empty if it is not registered (or this ledger keeps none)
     * @throws LedgerUnavailableException if the store cannot answer
     */
    default Optional<PooledRelay> pooledRelay(String relayId) {
        return Optional.empty();
    }

    /**
     * Lists the pooled relays registered and not yet over ({@link PooledRelay.Control#over()}),
     * oldest first. Default: none.
     *
     * @return the relays
     * @throws LedgerUnavailableException if the store cannot answer
     */
    default List<PooledRelay> pooledRelays() {
        return List.of();
    }

    /**
     * Moves a pooled relay to another state if it stands in one of {@code from}, atomically.
     *
     * @param relayId the relay's id
     * @param to the new state
     * @param reason why, in words (never packet contents), or empty
     * @param at when
     * @param from the states it may move from
     * @return the relay after the call: in state {@code to} if it moved, else as it stands; empty
     *     if it is not registered
     * @throws LedgerUnavailableException if the store cannot answer
     * @throws UnsupportedOperationException if this ledger keeps no pooled relays (the default)
     */
    default Optional<PooledRelay> movePooled(String relayId, PooledRelay.Control to, String reason, Instant at,
            Set<PooledRelay.Control> from) {
        throw new UnsupportedOperationException(getClass().getName() + " keeps no pooled relays, so pooled relays "
                + "cannot be paused, parked or cancelled with it; use a ledger that does (InMemoryRelayLedger, "
                + "DynamoDbRelayLedger)");
    }

    /** The outcome of {@link #beginCompletion}. */
    enum Completion {
        /** This caller ends the relay: run the hook, then {@link #endCompletion}, then tear down. */
        RUN_HOOK,
        /** The hook ran already, but its caller may have died before the tear-down: only tear down. */
        TEAR_DOWN,
        /** Another invocation is ending the relay right now: acknowledge without doing anything. */
        OTHER
    }

    /**
     * Claims the end of the relay (its completion or failure hook, then its tear-down) for one
     * invocation, for as long as that invocation can run. SQS may deliver the last packet twice at
     * once, with the same message id, so the message id alone cannot tell a duplicate from a
     * redelivery; the lease can: a duplicate arrives while the first holder still runs, a
     * redelivery only after the visibility timeout, when the holder's invocation is long over.
     * <ul>
     *   <li>nobody claimed it, or the holder's lease has run out and its hook did not finish:
     *       {@link Completion#RUN_HOOK}, and the caller holds it until {@code now + lease};</li>
     *   <li>the hook finished ({@link #endCompletion}): {@link Completion#TEAR_DOWN};</li>
     *   <li>another caller holds a lease that has not run out: {@link Completion#OTHER}.</li>
     * </ul>
     *
     * @param relayId the relay
     * @param messageId the SQS message id of the caller's record (for diagnostics)
     * @param lease how long the caller's invocation can still run
     * @return what the caller does
     * @throws LedgerUnavailableException if the store cannot answer
     */
    Completion beginCompletion(String relayId, String messageId, Duration lease);

    /**
     * Records that the relay's hook ran to its end, so no later caller runs it again.
     *
     * @param relayId the relay
     * @throws LedgerUnavailableException if the store cannot answer
     */
    void endCompletion(String relayId);
}
