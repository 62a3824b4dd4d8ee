package io.lambdarelay;

/**
 * Thrown by {@link Relay#relayPass} when SQS refused or failed the hand-off. The packet's counters
 * are left as they were before the call, so the same packet can be passed again.
 */
public class RelayPassException extends RelayException {
    private static final long serialVersionUID = 1L;

    /** The queueUrl, see its getter. */
    private final String queueUrl;
    /** The relayId, see its getter. */
    private final String relayId;

    /**
     * Creates the exception.
     *
     * @param message what failed and what to do
     * @param queueUrl the relay queue
     * @param relayId the relay id, or {@code null} for a packet without one
     * @param cause the SDK exception
     */
    public RelayPassException(String message, String queueUrl, String relayId, Throwable cause) {
        super(message, cause);
        this.queueUrl = queueUrl;
        this.relayId = relayId;
    }

    /**
     * Returns the relay queue the packet was to be sent to.
     *
     * @return the queue URL
     */
    public String queueUrl() {
        return queueUrl;
    }

    /**
     * Returns the relay id.
     *
     * @return the relay id, or {@code null}
     */
    public String relayId() {
        return relayId;
    }
}
