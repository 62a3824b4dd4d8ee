package io.lambdarelay;

import java.util.Objects;

/**
 * Thrown when a relay packet cannot be read or used: an empty, malformed, foreign or oversized
 * message body, a reserved key of the wrong type, a packet value read as the wrong type, or a value
 * {@code putObject} cannot write. The message names the key and the types, never the value.
 *
 * <p>When this is thrown inside a {@link RelayWorker}, the record is reported as a batch item
 * failure, so after the queue's {@code maxReceiveCount} the message lands in the dead-letter queue
 * instead of being dropped.
 */
public class InvalidPacketException extends RelayException {
    private static final long serialVersionUID = 1L;

    /** What is wrong with the packet. */
    public enum Reason {
        /** The message body is empty or blank. */
        EMPTY,
        /** The body is not well-formed JSON, or has content after the JSON value. */
        MALFORMED_JSON,
        /** The body is valid JSON but not a JSON object. */
        NOT_AN_OBJECT,
        /** A reserved key ({@code QueueUrl}, {@code UUID}) is missing. */
        MISSING_KEY,
        /** A key holds a value of the wrong JSON type. */
        WRONG_TYPE,
        /** The same key appears twice in one JSON object. */
        DUPLICATE_KEY,
        /** JSON nesting, a string or a number exceeds the parser's hardening limits. */
        LIMIT_EXCEEDED,
        /** The packet's serialized size is over the configured limit. */
        TOO_LARGE,
        /** A library field in {@code stats} holds an impossible value, such as a negative hop. */
        INVALID_VALUE,
        /** The packet names a different queue than the one it was received from. */
        WRONG_QUEUE,
        /** The packet holds text that SQS cannot carry, such as a lone surrogate. */
        INVALID_TEXT,
        /**
         * A value given to {@code putObject} cannot be written as packet JSON: a type a packet
         * refuses (a thread, a stream, ...), a value that refers to itself, a type with no JSON form,
         * or a getter that throws.
         */
        UNWRITABLE_VALUE
    }

    /** The reason, see its getter. */
    private final Reason reason;
    /** The messageId, see its getter. */
    private final String messageId;

    /**
     * Creates the exception.
     *
     * @param reason what is wrong
     * @param message a description naming the offending key or value type, never packet contents
     * @param messageId the SQS message id the packet came from, or {@code null}
     * @param cause the parser's exception, or {@code null}
     */
    public InvalidPacketException(Reason reason, String message, String messageId, Throwable cause) {
        super(messageId == null ? message : message + " (SQS message " + messageId + ")", cause);
        this.reason = Objects.requireNonNull(reason, "reason");
        this.messageId = messageId;
    }

    /**
     * Returns what is wrong with the packet.
     *
     * @return the reason
     */
    public Reason reason() {
        return reason;
    }

    /**
     * Returns the id of the SQS message that carried the packet.
     *
     * @return the message id, or {@code null} when the packet did not come from SQS
     */
    public String messageId() {
        return messageId;
    }
}
