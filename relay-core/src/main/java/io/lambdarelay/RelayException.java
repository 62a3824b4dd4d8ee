package io.lambdarelay;

/**
 * Base class of every exception the relay library throws on purpose.
 *
 * <p>Subclasses carry their context (relay id, queue URL, sizes) as getters; the AWS SDK exception
 * that caused one, if any, is its {@linkplain #getCause() cause}. Messages never contain packet
 * contents.
 */
public class RelayException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception with a message.
     *
     * @param message what went wrong and what to do about it
     */
    public RelayException(String message) {
        super(message);
    }

    /**
     * Creates an exception with a message and a cause.
     *
     * @param message what went wrong and what to do about it
     * @param cause the underlying failure, usually an AWS SDK exception
     */
    public RelayException(String message, Throwable cause) {
        super(message, cause);
    }
}
