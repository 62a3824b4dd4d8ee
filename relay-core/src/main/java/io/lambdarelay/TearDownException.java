package io.lambdarelay;

/**
 * Thrown by {@link Relay#tearDown} when AWS failed to delete the mapping or a queue for a reason
 * other than its being gone already. Calling {@code tearDown} again is safe.
 */
public class TearDownException extends RelayException {
    private static final long serialVersionUID = 1L;

    /** The queueUrl, see its getter. */
    private final String queueUrl;

    /**
     * Creates the exception.
     *
     * @param message what failed
     * @param queueUrl the relay queue
     * @param cause the SDK exception
     */
    public TearDownException(String message, String queueUrl, Throwable cause) {
        super(message, cause);
        this.queueUrl = queueUrl;
    }

    /**
     * Returns the relay queue being torn down.
     *
     * @return the queue URL
     */
    public String queueUrl() {
        return queueUrl;
    }
}
