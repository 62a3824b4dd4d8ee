package io.lambdarelay;

/**
 * Thrown when a relay packet's serialized size is over the relay's limit: by
 * {@link Relay#relayPass(RelayPacket)} before any network call, or when reading a received packet.
 */
public class PacketTooLargeException extends InvalidPacketException {
    private static final long serialVersionUID = 1L;

    /** The sizeBytes, see its getter. */
    private final long sizeBytes;
    /** The limitBytes, see its getter. */
    private final int limitBytes;

    /**
     * Creates the exception.
     *
     * @param sizeBytes the packet's size in UTF-8 bytes
     * @param limitBytes the configured limit
     * @param messageId the SQS message id, or {@code null} for an outgoing packet
     */
    public PacketTooLargeException(long sizeBytes, int limitBytes, String messageId) {
        super(Reason.TOO_LARGE, "relay packet is " + sizeBytes + " bytes, limit is " + limitBytes
                + "; move large data to S3 (or another store) and pass its key, or raise "
                + "Relay.builder().maxPacketBytes(..) up to 1048576", messageId, null);
        this.sizeBytes = sizeBytes;
        this.limitBytes = limitBytes;
    }

    /**
     * Returns the packet's size.
     *
     * @return size in UTF-8 bytes
     */
    public long sizeBytes() {
        return sizeBytes;
    }

    /**
     * Returns the limit the packet exceeded.
     *
     * @return the limit in bytes
     */
    public int limitBytes() {
        return limitBytes;
    }
}
