package io.lambdarelay;

/**
 * Why a worker ended a relay on its own. {@link RelayWorker} passes it to
 * {@link RelayWorker#onRelayFailed} and tears the relay down (a dead-letter queue holding packets
 * is kept); nothing is thrown, so the record is not retried.
 *
 * @param reason the rule that ended it
 * @param relayId the relay
 * @param message what tripped it, with the figures (ids and counts, never packet contents)
 */
public record RelayFailure(Reason reason, String relayId, String message) {

    /** The rule that ended a relay. */
    public enum Reason {
        /** The chain (or a part) made more hand-offs than {@link RelaySetup#maxHops()}. */
        MAX_HOPS,
        /** The relay ran past its deadline ({@link RelaySetup#expiresAfter()}). */
        DEADLINE,
        /** More hops in a row than {@link RelaySetup#maxIdleHops()} completed no unit. */
        NO_PROGRESS,
        /** More parts of a fan-out failed than {@link RelaySetup#toleratedFailures()} allows. */
        TOO_MANY_FAILED_PARTS,
        /** A chain's packet failed {@link RelaySetup#maxReceiveCount()} times and was dead-lettered. */
        DEAD_LETTERED
    }
}
