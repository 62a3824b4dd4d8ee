package io.lambdarelay;

/** No relay with the id was found: no queue under the prefix carries it in its tags. */
public final class UnknownRelayException extends RelayException {
    private static final long serialVersionUID = 1L;

    /** The id looked for. */
    private final String relayId;

    /**
     * Creates the exception.
     *
     * @param relayId the id looked for
     * @param message what was looked at, and what to check
     */
    public UnknownRelayException(String relayId, String message) {
        super(message);
        this.relayId = relayId;
    }

    /** {@return the id looked for} */
    public String relayId() {
        return relayId;
    }
}
