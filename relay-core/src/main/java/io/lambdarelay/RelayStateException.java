package io.lambdarelay;

/** An operation that the relay's state does not allow, e.g. resuming a relay whose queue is gone. */
public final class RelayStateException extends RelayException {
    private static final long serialVersionUID = 1L;

    /** The relay's state when the operation was refused. */
    private final RelayState state;

    /**
     * Creates the exception.
     *
     * @param state the relay's state
     * @param message what was refused, and what to do instead
     */
    public RelayStateException(RelayState state, String message) {
        super(message);
        this.state = state;
    }

    /** {@return the relay's state} */
    public RelayState state() {
        return state;
    }
}
