package io.lambdarelay;

/**
 * Thrown by a unit of work when a downstream service says "slow down" (an HTTP 429, a
 * {@code ThrottlingException}). {@link RelayWorker} then undoes the unit's changes to the packet
 * and hands the packet on with exponential back-off and jitter, keeping the progress of the units
 * before it: the call is retried later, not lost.
 */
public class RelayThrottledException extends RelayException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what throttled, without packet contents
     */
    public RelayThrottledException(String message) {
        super(message);
    }

    /**
     * Creates the exception with a cause.
     *
     * @param message what throttled, without packet contents
     * @param cause the client's exception
     */
    public RelayThrottledException(String message, Throwable cause) {
        super(message, cause);
    }
}
