package io.lambdarelay;

/**
 * Thrown by {@link Relay#setup} when a step fails. Everything the failed setup had created (queues,
 * mapping) has been deleted again before this is thrown; failures of that clean-up are attached as
 * {@linkplain #getSuppressed() suppressed} exceptions.
 */
public class RelaySetupException extends RelayException {
    private static final long serialVersionUID = 1L;

    /** The functionName, see its getter. */
    private final String functionName;
    /** The relayId, see its getter. */
    private final String relayId;

    /**
     * Creates the exception.
     *
     * @param message which step failed and what to do
     * @param functionName the worker function given to setup
     * @param relayId the id the relay would have had
     * @param cause the SDK exception of the failed step
     */
    public RelaySetupException(String message, String functionName, String relayId, Throwable cause) {
        super(message, cause);
        this.functionName = functionName;
        this.relayId = relayId;
    }

    /**
     * Returns the worker function name given to setup.
     *
     * @return the function name
     */
    public String functionName() {
        return functionName;
    }

    /**
     * Returns the relay id the failed setup had generated (the value of the queues' tags).
     *
     * @return the relay id
     */
    public String relayId() {
        return relayId;
    }
}
