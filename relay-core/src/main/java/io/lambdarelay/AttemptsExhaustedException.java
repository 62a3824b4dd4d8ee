package io.lambdarelay;

/**
 * The reason a packet went to the dead-letter queue when its last attempt ended without a result:
 * the invocation timed out, ran out of memory or crashed, or could not record its end. The worker
 * that received the packet after that attempt moved it, without running a unit; its type is the
 * {@value Relay#ATTR_ERROR} message attribute of such a packet.
 */
public class AttemptsExhaustedException extends RelayException {
    private static final long serialVersionUID = 1L;

    /** The attempts, see its getter. */
    private final long attempts;

    /**
     * Creates the exception.
     *
     * @param attempts the attempts the packet had ({@code maxReceiveCount})
     */
    public AttemptsExhaustedException(long attempts) {
        super("the packet's last of " + attempts + " attempt(s) ended without a result (a timeout, out of memory, a "
                + "crash, or a failure to record its end)");
        this.attempts = attempts;
    }

    /**
     * Returns the attempts the packet had.
     *
     * @return the relay's {@code maxReceiveCount}
     */
    public long attempts() {
        return attempts;
    }
}
