package io.lambdarelay;

/**
 * Says why a worker ended a relay on its own: a guard tripped. {@link RelayWorker} passes it to
 * {@link RelayWorker#onRelayFailed} and tears the relay down; it is not thrown out of the handler,
 * so the record is not retried.
 */
public class RelayGuardException extends RelayException {
    private static final long serialVersionUID = 1L;

    /** The guard that tripped. */
    public enum Guard {
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

    /** The guard, see its getter. */
    private final Guard guard;
    /** The relay id, see its getter. */
    private final String relayId;

    /**
     * Creates the exception.
     *
     * @param guard the guard that tripped
     * @param relayId the relay
     * @param message what tripped it, with the figures
     */
    public RelayGuardException(Guard guard, String relayId, String message) {
        super(message);
        this.guard = guard;
        this.relayId = relayId;
    }

    /**
     * Returns the guard that tripped.
     *
     * @return the guard
     */
    public Guard guard() {
        return guard;
    }

    /**
     * Returns the relay that was ended.
     *
     * @return the relay id
     */
    public String relayId() {
        return relayId;
    }
}
