package io.lambdarelay;

import java.util.List;

/**
 * Thrown by {@link Relay#relayPassAll} when some packets could not be sent after retries. The
 * packets that were sent are not sent again; {@link #unsent()} lists the others, with their
 * counters unchanged, so the caller can pass exactly those again.
 */
public class PartialPassException extends RelayPassException {
    private static final long serialVersionUID = 1L;

    /** The packets not sent, see the getter; transient because packets are not serializable. */
    private final transient List<RelayPacket> unsent;
    /** How many packets were sent, see the getter. */
    private final int sent;

    /**
     * Creates the exception.
     *
     * @param message what failed
     * @param queueUrl the relay queue
     * @param relayId the relay id
     * @param sent how many packets were sent
     * @param unsent the packets not sent
     * @param cause the SDK exception, or {@code null} when SQS refused single entries
     */
    public PartialPassException(String message, String queueUrl, String relayId, int sent, List<RelayPacket> unsent,
            Throwable cause) {
        super(message, queueUrl, relayId, cause);
        this.sent = sent;
        this.unsent = List.copyOf(unsent);
    }

    /**
     * Returns the packets that were not sent, in their original order.
     *
     * @return the unsent packets
     */
    public List<RelayPacket> unsent() {
        return unsent == null ? List.of() : unsent;
    }

    /**
     * Returns how many packets were sent.
     *
     * @return the count
     */
    public int sent() {
        return sent;
    }
}
