package io.lambdarelay.ledger;

/**
 * A store that makes a relay exactly-once at its hand-offs and knows when parallel parts are done.
 *
 * <p>SQS delivers at least once and Lambda retries, so without a ledger a worker that dies after
 * passing its packet is retried and passes it again: from then on two chains do the same work. With
 * a ledger, each hop is claimed before it runs: a redelivery of the same SQS message takes the
 * claim over, while a different message for an already claimed hop is a fork and is acknowledged
 * without work. For fan-out relays the ledger also counts finished and failed parts atomically, so
 * the completion hook and the tear-down run exactly once.
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
     * Marks the relay complete on behalf of the SQS message whose worker will run the completion
     * hook and the tear-down. Returns {@code true} to exactly one message: the first to call, and
     * that same message again if it is redelivered (its worker died before finishing the
     * completion, so the redelivery takes it over, as with {@link #claimHop}).
     *
     * @param relayId the relay
     * @param messageId the SQS message id of the caller's record
     * @return {@code true} if this message completes the relay
     * @throws LedgerUnavailableException if the store cannot answer
     */
    boolean markComplete(String relayId, String messageId);
}
